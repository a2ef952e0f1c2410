using System.Security.Cryptography;
using Bus.Contracts.Fixity;
using Bus.IntegrationTests.Support;
using Bus.Registry.Model;
using Bus.Registry.Store;
using Npgsql;

namespace Bus.IntegrationTests.Fixity;

public class When_a_faulted_check_is_replayed
{
    [Fact]
    public async Task Should_fault_to_the_error_queue_then_finish_when_replayed_after_the_cause_is_fixed()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveAsync("faulted.bin");
        // A registry without the ingest digest: the verify step cannot judge the copy (fatal, no retry).
        await using (var delete = new NpgsqlCommand("DELETE FROM registry.checksums WHERE file_id = @f", stack.Institution.Connection))
        {
            delete.Parameters.AddWithValue("f", file.FileId);
            await delete.ExecuteNonQueryAsync();
        }
        var host = await stack.StartHostAsync();

        var checkId = await stack.RequestCheckAsync(host, file.PrimaryCopyId, file.Identifier, FixityStack.Primary);
        var failed = await stack.OutcomeAsync(checkId);
        Assert.Equal(FixityOutcomes.Failed, failed.Outcome);
        Assert.Contains("MissingIngestDigestException", failed.Detail, StringComparison.Ordinal);

        // The saga hears of the fault (and records Failed) before the message reaches the error queue.
        var parkedUntil = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (await stack.VirtualHost.MessageCountAsync("fixity-verify-copy_error") == 0)
        {
            Assert.True(DateTime.UtcNow < parkedUntil, "the faulted message never reached fixity-verify-copy_error");
            await Task.Delay(200);
        }

        await stack.Institution.Store.AddChecksumsAsync([new ChecksumRecord(file.FileId, DigestAlgorithms.Sha256,
            Convert.ToHexStringLower(SHA256.HashData(file.Content)), DateTimeOffset.UtcNow, ChecksumSources.Ingest)]);
        await using var replay = await ExternalProcess.RunAsync(RepoPaths.Busctl,
            ["errors", "replay", "fixity-verify-copy_error", "--all"], stack.VirtualHost.Environment, TimeSpan.FromMinutes(2));
        Assert.True(replay.ExitCode == 0, replay.Stderr + replay.Stdout);

        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        var row = failed;
        while (row.Outcome == FixityOutcomes.Failed && DateTime.UtcNow < until)
        {
            await Task.Delay(200);
            row = Assert.Single(await stack.Ledger.GetAsync([checkId], CancellationToken.None));
        }
        Assert.Equal(FixityOutcomes.Intact, row.Outcome);
    }
}
