using Bus.Workflows.Copies.Data;
using Bus.Contracts.Fixity;

namespace Bus.IntegrationTests.Fixity;

public class When_a_large_copy_is_checked_in_slices
{
    [Fact]
    public async Task Should_read_it_across_several_messages_and_find_it_intact()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveAsync("large.bin", 48 * 1024 * 1024);
        var host = await stack.StartHostAsync("--Bus:Fixity:TimeSlice=00:00:00.2", "--Bus:Fixity:ReadBufferKiB=256");

        var checkId = await stack.RequestCheckAsync(host, file.PrimaryCopyId, file.Identifier, FixityStack.Primary);
        var outcome = await stack.OutcomeAsync(checkId, TimeSpan.FromMinutes(3));

        Assert.Equal(FixityOutcomes.Intact, outcome.Outcome);
        var slices = await stack.Slices.ListAsync(checkId, CancellationToken.None);
        Assert.True(slices.Count > 1, $"expected several slices, got {slices.Count}");
        FixityStack.AssertContiguous(slices, file.Content.Length);
        Assert.All(slices.SkipLast(1), s => Assert.Equal(SliceEnds.SliceSpent, s.Ended));
        Assert.Single(slices.Select(s => s.ETag).Distinct());
    }
}
