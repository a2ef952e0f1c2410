using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.IntegrationTests.Registry;

/// <summary>
/// The sweep runs over the shared table, so this test's copies are dated in 1970 (before anything
/// real) and results are narrowed to this test's files. Disposal deletes them, so a real sweep never
/// sees them.
/// </summary>
public sealed class FixitySweepSelectsDueCopies
{
    private static readonly DateTimeOffset Epoch = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Only_active_copies_last_checked_or_stored_before_the_cutoff_are_selected_oldest_first()
    {
        await using var t = await TestInstitution.CreateAsync();
        var obj = await t.Store.UpsertObjectAsync(t.Bag("bag"));
        var f = Enumerable.Range(0, 5).Select(i => t.File(obj.Identifier, $"data/{i}.txt")).ToArray();
        await t.Store.UpsertFilesAsync(obj.Id, f);
        await t.Store.RecordCopiesAsync([
            new StorageCopy(f[0].Id, "b", "never-checked-old", null, "Standard", Epoch.AddDays(1), null),   // due (stored long ago)
            new StorageCopy(f[1].Id, "b", "checked-old", null, "Standard", Epoch.AddDays(2), null),         // due (checked long ago)
            new StorageCopy(f[2].Id, "b", "checked-recently", null, "Standard", Epoch.AddDays(3), null),    // checked after the cutoff
            new StorageCopy(f[3].Id, "b", "stored-recently", null, "Standard", Epoch.AddDays(200), null),   // stored after the cutoff
            new StorageCopy(f[4].Id, "b", "deleted", null, "Standard", Epoch.AddDays(4), null),             // tombstoned
        ]);
        var copies = (await t.Store.ListCopiesAsync(obj.Identifier)).ToDictionary(c => c.Key);
        await t.Store.MarkFixityAsync(copies["checked-old"].Id, Epoch.AddDays(-1 + 2 + 5), Outcomes.Success);
        await t.Store.MarkFixityAsync(copies["checked-recently"].Id, Epoch.AddDays(150), Outcomes.Success);
        await t.Store.TombstoneFileAsync(f[4].Identifier, DateTimeOffset.UtcNow);

        var due = (await t.Store.SelectDueCopiesAsync(Epoch.AddDays(100), 10_000))
            .Where(d => f.Any(x => x.Id == d.FileId)).ToList();

        Assert.Equal(["never-checked-old", "checked-old"], due.Select(d => d.Key));
        Assert.Equal(Epoch.AddDays(1), due[0].DueSince);
        Assert.Equal(Epoch.AddDays(6), due[1].DueSince);
        Assert.Equal(f[0].Identifier, due[0].FileIdentifier);
    }
}
