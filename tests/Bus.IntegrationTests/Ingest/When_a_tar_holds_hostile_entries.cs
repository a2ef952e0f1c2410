using System.Formats.Tar;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_a_tar_holds_hostile_entries
{
    [Fact]
    public async Task Traversal_symlink_and_hardlink_bags_are_Rejected_and_leave_staging_empty()
    {
        await using var stack = await IngestStack.StartAsync();
        var cases = new (string Code, Func<string, (TarEntryType, string, string?)> Entry)[]
        {
            ("path.traversal", name => (TarEntryType.RegularFile, $"{name}/data/../../escaped.txt", null)),
            ("entry.link", name => (TarEntryType.SymbolicLink, $"{name}/data/passwd", "/etc/passwd")),
            ("entry.link", name => (TarEntryType.HardLink, $"{name}/data/again.txt", $"{name}/data/report.txt")),
        };
        foreach (var (code, entry) in cases)
        {
            var bag = new TestBag("hostile-" + Guid.NewGuid().ToString("N")[..8]);
            bag.RawEntries.Add(entry(bag.Name));
            var (exit, result) = await stack.SubmitAndWaitAsync(bag);
            Assert.True(exit == 3, result.ToString());
            Assert.Equal("Rejected", result.GetProperty("state").GetString());
            Assert.Contains(code, result.GetProperty("rejections").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
            var id = result.GetProperty("ingestId").GetGuid();
            await stack.WaitForStateAsync(id, "Rejected", compensated: true);
            Assert.Equal(0, await stack.CountObjectsAsync(stack.Storage.StagingBucket, id + "/"));
            Assert.Equal(0L, (await stack.QueryAsync("SELECT count(*) FROM registry.intellectual_objects WHERE identifier = @o",
                r => r.GetInt64(0), ("o", $"{stack.Institution}/{bag.Name}"))).Single());
        }
    }
}
