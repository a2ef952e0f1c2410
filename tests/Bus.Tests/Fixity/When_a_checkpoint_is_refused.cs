using Bus.Workflows.Copies.Data;
using System.Security.Cryptography;
using Bus.Contracts.Fixity;
using Bus.Hashing;

namespace Bus.Tests.Fixity;

public class When_a_checkpoint_is_refused
{
    [Fact]
    public async Task Should_read_the_copy_again_from_the_start_and_say_why()
    {
        await using var fixity = new FixityHarness();
        var content = RandomNumberGenerator.GetBytes(16 * 1024);
        var (primary, _) = fixity.AddFile(content, content, original: content);
        // A checkpoint at byte 8192 whose hash state was damaged in storage (one bit flipped).
        var hash = ResumableHash.Create("sha256");
        hash.Append(content.AsSpan(0, 8192));
        var state = hash.SaveState();
        state[40] ^= 0x01;
        var checkId = Guid.NewGuid();
        await fixity.Slices.TryAddAsync(new CopyReadSlice(checkId, 1, checkId, 0, 8192, FakeStorage.ETagOf(content), content.Length,
            ["sha256"], [state], SliceEnds.SliceSpent, null, "earlier-host", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), CancellationToken.None);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId, checkId);

        Assert.Equal(FixityOutcomes.Intact, completed.Outcome);
        var resumed = fixity.Slices.All()[1];
        Assert.Equal(0, resumed.FromOffset);
        Assert.Equal(content.Length, resumed.ToOffset);
        Assert.Contains("checkpoint refused", resumed.RestartReason, StringComparison.Ordinal);
        Assert.Equal([0L], fixity.Storage.Reads.Select(r => r.Offset));
    }
}
