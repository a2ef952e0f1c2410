using Bus.Contracts.Fixity;
using Bus.Fixity.Steps;

namespace Bus.IntegrationTests.Fixity;

public class When_a_corrupted_copy_is_checked_in_slices
{
    [Fact]
    public async Task Should_find_the_damage_and_repair_the_copy_reading_every_copy_in_slices()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveAsync("large.bin", 32 * 1024 * 1024);
        await stack.CorruptAsync(FixityStack.Primary, file);
        var host = await stack.StartHostAsync("--Bus:Fixity:TimeSlice=00:00:00.2", "--Bus:Fixity:ReadBufferKiB=256");

        var checkId = await stack.RequestCheckAsync(host, file.PrimaryCopyId, file.Identifier, FixityStack.Primary);
        var outcome = await stack.OutcomeAsync(checkId, TimeSpan.FromMinutes(3));

        Assert.Equal(FixityOutcomes.Repaired, outcome.Outcome);
        var slices = await stack.Slices.ListAsync(checkId, CancellationToken.None);
        Assert.True(slices.Count > 1, $"expected several slices, got {slices.Count}");
        FixityStack.AssertContiguous(slices, file.Content.Length);
        // The repair's reads (the replica as source, the repaired primary) are sliced too, each on its own checkpoints.
        var source = await stack.Slices.ListAsync(RepairCopyConsumer.SourceReadId(checkId, file.ReplicaCopyId), CancellationToken.None);
        var recheck = await stack.Slices.ListAsync(RepairCopyConsumer.RecheckReadId(checkId, file.PrimaryCopyId), CancellationToken.None);
        Assert.True(source.Count > 1, $"expected the source read in several slices, got {source.Count}");
        Assert.True(recheck.Count > 1, $"expected the repaired copy's read in several slices, got {recheck.Count}");
        FixityStack.AssertContiguous(source, file.Content.Length);
        FixityStack.AssertContiguous(recheck, file.Content.Length);
        Assert.Equal(file.Content, await stack.GetAsync(FixityStack.Primary, file.Key));
        Assert.Contains(await stack.EventsAsync(file), e => e.Type == "fixity check" && e.Outcome == "failure");
    }
}
