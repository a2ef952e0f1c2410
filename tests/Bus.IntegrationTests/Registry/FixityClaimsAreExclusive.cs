using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.IntegrationTests.Registry;

public sealed class FixityClaimsAreExclusive
{
    private static readonly DateTimeOffset Epoch = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_sweeps_claim_disjoint_copies_and_a_checked_copy_is_no_longer_due()
    {
        await using var t = await TestInstitution.CreateAsync();
        var obj = await t.Store.UpsertObjectAsync(t.Bag("bag"));
        var files = Enumerable.Range(0, 40).Select(i => t.File(obj.Identifier, $"data/{i}.txt")).ToArray();
        await t.Store.UpsertFilesAsync(obj.Id, files);
        await t.Store.RecordCopiesAsync(files.Select((f, i) => new StorageCopy(f.Id, "b", $"k{i}", null, "Standard", Epoch.AddMinutes(i), null)).ToList());
        var mine = files.Select(f => f.Id).ToHashSet();
        var cutoff = Epoch.AddDays(1);

        // Two sweeps at once, each on its own connection and transaction.
        await using var c1 = await RegistryTestDatabase.OpenAsync();
        await using var c2 = await RegistryTestDatabase.OpenAsync();
        await using var tx1 = await c1.BeginTransactionAsync();
        await using var tx2 = await c2.BeginTransactionAsync();
        var first = await new RegistryStore(c1, tx1).ClaimDueCopiesAsync(cutoff, 25, TimeSpan.FromMinutes(10));
        var second = await new RegistryStore(c2, tx2).ClaimDueCopiesAsync(cutoff, 25, TimeSpan.FromMinutes(10));
        await tx1.CommitAsync();
        await tx2.CommitAsync();
        var third = await t.Store.ClaimDueCopiesAsync(cutoff, 25, TimeSpan.FromMinutes(10));

        var claimed = first.Concat(second).Concat(third).Where(d => mine.Contains(d.FileId)).Select(d => d.StorageRecordId).ToList();
        Assert.Equal(40, claimed.Count);
        Assert.Equal(40, claimed.Distinct().Count());

        // Checking a copy ends its lease and moves it past the cutoff; the select (no lease) still sees the rest.
        await t.Store.MarkFixityAsync(claimed[0], DateTimeOffset.UtcNow, Outcomes.Success);
        var stillDue = (await t.Store.SelectDueCopiesAsync(cutoff, 10_000)).Where(d => mine.Contains(d.FileId)).ToList();
        Assert.Equal(39, stillDue.Count);
        Assert.DoesNotContain(stillDue, d => d.StorageRecordId == claimed[0]);
    }
}
