namespace Bus.IntegrationTests.Deletion;

public sealed class When_a_deletion_is_approved_on_the_stack
{
    [Fact]
    public async Task Every_copy_is_gone_and_the_registry_holds_tombstones_and_deletion_events()
    {
        await using var world = await DeletionWorld.CreateAsync();
        await using var host = world.StartHost();
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        var id = await world.RequestAcceptedAsync();
        var pending = await world.WaitForStateAsync(id, "PendingApproval");
        Assert.True(pending.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(13));
        var (exit, approved) = await world.DeleteAsAsync(world.Admin, "approve", id.ToString());
        Assert.True(exit == 0, approved.ToString());

        var done = await world.WaitForStateAsync(id, "Completed", host: host);
        Assert.Equal(4, done.GetProperty("copiesRemoved").GetInt32());
        foreach (var (bucket, key) in world.Copies) Assert.False(await world.ExistsInS3Async(bucket, key), $"{bucket}/{key} still exists");

        // Tombstones: object and files deleted with one deleted_at; copies marked deleted; nothing removed.
        var states = await world.QueryAsync("""
            SELECT o.state, o.deleted_at IS NOT NULL,
                   (SELECT count(*) FROM registry.generic_files f WHERE f.object_id = o.id AND f.state = 'deleted' AND f.deleted_at = o.deleted_at),
                   (SELECT count(*) FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id WHERE f.object_id = o.id AND s.state = 'deleted'),
                   (SELECT count(*) FROM registry.checksums c JOIN registry.generic_files f ON f.id = c.file_id WHERE f.object_id = o.id)
            FROM registry.intellectual_objects o WHERE o.identifier = @object
            """, r => { r.Read(); return (r.GetString(0), r.GetBoolean(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)); });
        Assert.Equal(("deleted", true, 2L, 4L, 2L), states);

        // PREMIS: one deletion event per file and one for the object, naming requester, approver and reason.
        var events = await world.QueryAsync("""
            SELECT e.identifier, e.file_id IS NULL, e.outcome, e.agent, e.detail
            FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id
            WHERE o.identifier = @object AND e.event_type = 'deletion' ORDER BY e.identifier
            """, r => { var l = new List<(string, bool, string, string, string)>(); while (r.Read()) l.Add((r.GetString(0), r.GetBoolean(1), r.GetString(2), r.GetString(3), r.GetString(4))); return l; });
        Assert.Equal([world.Bag, .. world.Files], events.Select(e => e.Item1));
        Assert.Equal([true, false, false], events.Select(e => e.Item2));
        Assert.All(events, e =>
        {
            Assert.Equal("success", e.Item3);
            Assert.Equal($"requested by {world.Requester}; approved by {world.Admin}", e.Item4);
            Assert.Equal($"deleted on request {id}; reason: donor withdrew consent", e.Item5);
        });
        // The ingestion event recorded before is kept.
        Assert.Equal(1L, await world.QueryAsync("""
            SELECT count(*) FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id
            WHERE o.identifier = @object AND e.event_type = 'ingestion'
            """, r => { r.Read(); return r.GetInt64(0); }));
    }
}
