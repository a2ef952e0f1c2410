using Bus.Contracts.Fixity;

namespace Bus.IntegrationTests.Fixity;

public class When_every_copy_is_corrupted
{
    [Fact]
    public async Task Should_report_lost_raise_an_alert_and_leave_both_objects_untouched()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveAsync("lost.bin");
        var badPrimary = await stack.CorruptAsync(FixityStack.Primary, file);
        var badReplica = (byte[])badPrimary.Clone();
        badReplica[0] ^= 0xFF;
        await stack.PutAsync(FixityStack.Replica, file.Key, badReplica);
        var host = await stack.StartHostAsync();

        var checkId = await stack.RequestCheckAsync(host, file.PrimaryCopyId, file.Identifier, FixityStack.Primary);
        var outcome = await stack.OutcomeAsync(checkId);

        Assert.Equal(FixityOutcomes.Lost, outcome.Outcome);
        Assert.Equal(["lost"], await stack.AlertKindsAsync(file));
        Assert.Equal(badPrimary, await stack.GetAsync(FixityStack.Primary, file.Key));
        Assert.Equal(badReplica, await stack.GetAsync(FixityStack.Replica, file.Key));
        var events = await stack.EventsAsync(file);
        Assert.DoesNotContain(events, e => e.Type == "replication");
        Assert.All(events, e => Assert.Equal("failure", e.Outcome));
    }
}
