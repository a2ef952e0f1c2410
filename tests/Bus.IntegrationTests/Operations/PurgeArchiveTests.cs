using Bus.Operations.Archive;
using Bus.Operations.ErrorQueues;
using Npgsql;

namespace Bus.IntegrationTests.Operations;

public class PurgeArchiveTests
{
    [Fact]
    public async Task Purge_deletes_archived_messages_older_than_the_retention_and_keeps_newer_ones()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var errorQueue = await kit.QueueAsync("-stage_error");
        var old = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage");
        var recent = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage");
        var archive = kit.Get<ErrorArchive>();
        var report = await archive.ArchiveAsync(errorQueue, MessageSelector.Create(null, true, null, null), false, "test", CancellationToken.None);
        var oldId = report.Messages.Single(m => m.MessageId == old.ToString()).Id;
        var recentId = report.Messages.Single(m => m.MessageId == recent.ToString()).Id;
        await using (var backdate = kit.Get<NpgsqlDataSource>().CreateCommand(
            "UPDATE bus.archived_error_messages SET archived_at = now() - interval '91 days' WHERE id = $1"))
        {
            backdate.Parameters.Add(new() { Value = oldId });
            await backdate.ExecuteNonQueryAsync();
        }

        var purge = await archive.PurgeAsync("test", CancellationToken.None); // default retention: 90 days

        Assert.True(purge.Deleted >= 1);
        Assert.Null(await archive.GetAsync(oldId, CancellationToken.None));
        Assert.NotNull(await archive.GetAsync(recentId, CancellationToken.None));
        await archive.RestoreAsync([recentId], "test", CancellationToken.None); // leave no rows of ours behind
    }
}
