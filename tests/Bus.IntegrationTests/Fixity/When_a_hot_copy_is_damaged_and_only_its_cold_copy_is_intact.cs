using Amazon.S3;
using Bus.Contracts.Fixity;

namespace Bus.IntegrationTests.Fixity;

/// <summary>A Standard object (one hot copy, one GLACIER copy) whose hot copy is corrupted: the cold copy is the only source.</summary>
public class When_a_hot_copy_is_damaged_and_only_its_cold_copy_is_intact
{
    [Fact]
    public async Task The_cold_copy_is_restored_read_in_full_and_the_hot_copy_rewritten_from_it()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveStandardAsync("hot-damaged.bin", 96 * 1024, DateTimeOffset.UtcNow);
        await stack.CorruptAsync(FixityStack.Primary, file);
        Assert.Equal("InvalidObjectState", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => stack.S3.GetObjectAsync(FixityStack.Cold, file.Key))).ErrorCode);
        var host = await stack.StartHostAsync("--Bus:Fixity:ColdPollInterval=00:00:01", "--Bus:Fixity:ColdPollMaxInterval=00:00:02");

        var outcome = await stack.OutcomeAsync(await stack.RequestCheckAsync(host, file.PrimaryCopyId, file.Identifier, FixityStack.Primary));

        Assert.Equal(FixityOutcomes.Repaired, outcome.Outcome);
        Assert.Equal(file.Content, await stack.GetAsync(FixityStack.Primary, file.Key));
        Assert.True(await stack.WasRestoredAsync(FixityStack.Cold, file.Key));
        var events = await stack.EventsAsync(file);
        // The cold copy's bytes were read and verified before it was copied from.
        Assert.Contains(events, e => e is { Type: "fixity check", Outcome: "success" } && e.Detail.Contains($"{FixityStack.Cold}/{file.Key} as repair source", StringComparison.Ordinal)
            && e.Detail.Contains("restored and read in full", StringComparison.Ordinal));
        Assert.Contains(events, e => e is { Type: "replication", Outcome: "success" } && e.Detail.Contains($"from {FixityStack.Cold}/{file.Key}", StringComparison.Ordinal));
        Assert.Contains(events, e => e is { Type: "fixity check", Outcome: "success" } && e.Detail.StartsWith("fixity check of repaired copy", StringComparison.Ordinal));
        Assert.Equal(["repaired"], await stack.AlertKindsAsync(file));
        Assert.Equal("STANDARD", (await stack.S3.GetObjectMetadataAsync(FixityStack.Primary, file.Key)).StorageClass?.Value ?? "STANDARD");
    }
}
