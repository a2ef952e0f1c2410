using Bus.Contracts.Fixity;

namespace Bus.IntegrationTests.Fixity;

public class When_a_copy_is_corrupted_in_s3
{
    [Fact]
    public async Task Should_detect_it_and_repair_it_from_the_other_copy()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveAsync("corrupted.bin");
        await stack.CorruptAsync(FixityStack.Replica, file);
        var host = await stack.StartHostAsync();

        var checkId = await stack.RequestCheckAsync(host, file.ReplicaCopyId, file.Identifier, FixityStack.Replica);
        var outcome = await stack.OutcomeAsync(checkId);

        Assert.Equal(FixityOutcomes.Repaired, outcome.Outcome);
        Assert.Equal(file.Content, await stack.GetAsync(FixityStack.Replica, file.Key));
        var events = await stack.EventsAsync(file);
        Assert.Contains(events, e => e is { Type: "fixity check", Outcome: "failure" } && e.Detail.Contains(FixityStack.Replica, StringComparison.Ordinal));
        Assert.Contains(events, e => e is { Type: "replication", Outcome: "success" });
        Assert.Contains(events, e => e is { Type: "fixity check", Outcome: "success" } && e.Detail.StartsWith("fixity check of repaired copy", StringComparison.Ordinal));
        Assert.Equal(["repaired"], await stack.AlertKindsAsync(file));
        var replica = (await stack.Institution.Store.ListCopiesAsync(file.Identifier)).Single(c => c.Id == file.ReplicaCopyId);
        Assert.Equal("success", replica.LastFixityOutcome);
    }
}
