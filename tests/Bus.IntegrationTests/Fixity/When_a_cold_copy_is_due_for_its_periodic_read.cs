using System.Security.Cryptography;
using Amazon.S3;
using Bus.Contracts.Fixity;

namespace Bus.IntegrationTests.Fixity;

/// <summary>Bus:Fixity:ColdInterval on moto, which refuses a GLACIER copy's GET until RestoreObject, as S3 does.</summary>
[Collection(nameof(SweepCollection))]
public class When_a_cold_copy_is_due_for_its_periodic_read
{
    private static readonly string[] ColdReads =
        ["--Bus:Fixity:ColdInterval=365.00:00:00", "--Bus:Fixity:ColdPollInterval=00:00:01", "--Bus:Fixity:ColdPollMaxInterval=00:00:02"];

    [Fact]
    public async Task The_sweep_has_it_restored_and_reads_it_in_full()
    {
        await using var stack = await FixityStack.CreateAsync();
        await using var registry = SweepHarness.Registry();
        var file = await stack.PreserveStandardAsync("cold-read.bin", 96 * 1024, SweepHarness.StoredAt);
        Assert.Equal("InvalidObjectState", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => stack.S3.GetObjectAsync(FixityStack.Cold, file.Key))).ErrorCode);
        await stack.StartHostAsync(ColdReads);
        await using var bus = new AsyncBus(await SweepHarness.StartBusAsync(stack));

        var swept = await SweepHarness.Sweeper(stack, registry, bus.Bus).RunAsync(SweepHarness.OlderThan, 100, "test", CancellationToken.None);

        Assert.Equal(2, swept.Queued);
        var outcome = await stack.OutcomeAsync(await stack.CheckOfAsync(file.ReplicaCopyId));
        Assert.Equal(FixityOutcomes.Intact, outcome.Outcome);
        Assert.True(await stack.WasRestoredAsync(FixityStack.Cold, file.Key));
        var events = await stack.EventsAsync(file);
        Assert.Contains(events, e => e is { Type: "fixity check", Outcome: "success" } && e.Detail.Contains(FixityStack.Cold, StringComparison.Ordinal)
            && e.Detail.Contains("restored and read in full", StringComparison.Ordinal) && e.Detail.Contains(Convert.ToHexStringLower(SHA256.HashData(file.Content)), StringComparison.Ordinal));
        Assert.NotNull(await stack.LastColdReadAsync(file.ReplicaCopyId));
    }

    [Fact]
    public async Task Decay_its_s3_checksum_does_not_show_is_found_and_repaired_from_the_hot_copy()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveStandardAsync("cold-decayed.bin", 96 * 1024, SweepHarness.StoredAt);
        var decayed = file.Content.ToArray();
        decayed[decayed.Length / 3] ^= 0x01;
        await stack.PutColdWithChecksumAsync(file.Key, decayed, Convert.ToBase64String(SHA256.HashData(file.Content)));
        var host = await stack.StartHostAsync(ColdReads);

        var outcome = await stack.OutcomeAsync(await stack.RequestCheckAsync(host, file.ReplicaCopyId, file.Identifier, FixityStack.Cold));

        Assert.Equal(FixityOutcomes.Repaired, outcome.Outcome);
        var events = await stack.EventsAsync(file);
        Assert.Contains(events, e => e is { Type: "fixity check", Outcome: "failure" } && e.Detail.Contains(FixityStack.Cold, StringComparison.Ordinal)
            && e.Detail.Contains("restored and read in full", StringComparison.Ordinal));
        Assert.Contains(events, e => e is { Type: "replication", Outcome: "success" } && e.Detail.Contains(FixityStack.Primary, StringComparison.Ordinal));
        Assert.Equal(["repaired"], await stack.AlertKindsAsync(file));
        var head = await stack.S3.GetObjectMetadataAsync(FixityStack.Cold, file.Key);
        Assert.Equal("GLACIER", head.StorageClass?.Value);
        Assert.Equal(file.Content, await stack.RestoreAndGetAsync(FixityStack.Cold, file.Key));
    }
}
