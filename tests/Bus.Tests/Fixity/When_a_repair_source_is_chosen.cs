using Bus.Contracts.Fixity;
using Bus.Fixity.Steps;
using Bus.Fixity.Data;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Tests.Fixity;

public class When_a_repair_source_is_chosen
{
    private static readonly Dictionary<string, string> Digests = new() { ["sha256"] = "ab" };
    private static RegisteredCopy Copy(long id, string bucket, string key = "k") => new(id, Guid.Empty, 1, "i.edu/b/data/f", bucket, key, Digests, "i.edu/b");

    [Fact]
    public void Should_take_the_first_copy_that_verifies()
    {
        var damaged = Copy(1, "primary");
        var decision = RepairPlanner.Decide(damaged, [new(Copy(2, "replica"), CopyConditions.Mismatch), new(Copy(3, "glacier"), CopyConditions.Intact)]);
        Assert.Equal(3, decision.Source!.StorageRecordId);
    }

    [Fact]
    public void Should_be_lost_when_no_other_copy_verifies()
    {
        var decision = RepairPlanner.Decide(Copy(1, "primary"), [new(Copy(2, "replica"), CopyConditions.Missing)]);
        Assert.True(decision.IsLost);
        Assert.Equal("no other copy verifies: replica/k missing", decision.LostReason);
    }

    [Fact]
    public void Should_be_lost_when_there_is_no_other_copy()
    {
        Assert.Equal("no other copy is registered", RepairPlanner.Decide(Copy(1, "primary"), []).LostReason);
    }

    [Fact]
    public void Should_never_copy_a_copy_onto_itself()
    {
        var decision = RepairPlanner.Decide(Copy(1, "primary"), [new(Copy(9, "primary"), CopyConditions.Intact)]);
        Assert.True(decision.IsLost);
    }
}
