using System.Text;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_a_bag_is_reingested
{
    [Fact]
    public async Task Only_changed_files_are_stored_and_each_path_keeps_its_file_uuid_with_one_current_copy_per_bucket()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("re-" + Guid.NewGuid().ToString("N")[..8]);
        var (exit, first) = await stack.SubmitAndWaitAsync(bag);
        Assert.Equal(0, exit);
        var objectId = $"{stack.Institution}/{bag.Name}";
        var idsBefore = await FileIdsAsync(stack, objectId);

        // Same size, new content: Payload-Oxum and bag-info.txt stay the same; the two manifests change with it.
        var old = bag.Payload["data/report.txt"];
        bag.Payload["data/report.txt"] = Encoding.UTF8.GetBytes(new string('Z', old.Length - 1) + "\n");
        var (exit2, second) = await stack.SubmitAndWaitAsync(bag);

        Assert.True(exit2 == 0, second.ToString());
        Assert.NotEqual(first.GetProperty("ingestId").GetString(), second.GetProperty("ingestId").GetString());
        var stored = await stack.QueryAsync("SELECT path FROM bus.ingest_files WHERE ingest_id = @id AND store_needed ORDER BY path",
            r => r.GetString(0), ("id", Guid.Parse(second.GetProperty("ingestId").GetString()!)));
        Assert.Equal(["data/report.txt", "manifest-md5.txt", "manifest-sha256.txt"], stored);
        Assert.Equal(idsBefore, await FileIdsAsync(stack, objectId));

        var reportId = idsBefore[$"{objectId}/data/report.txt"];
        // The new version has a key of its own; the registry points at it and the superseded copy is gone.
        var report = (await stack.RecordedCopiesAsync(objectId)).Where(c => c.FileId == reportId).ToList();
        Assert.Equal(new[] { stack.Storage.StandardHotBucket(), stack.Storage.StandardColdBucket() }.Order(), report.Select(c => c.Bucket).Order());
        Assert.All(report, c => Assert.Equal($"{reportId}/{second.GetProperty("ingestId").GetString()}", c.Key));
        Assert.All(report, c => Assert.Equal(TestBag.Sha256(bag.Payload["data/report.txt"]), c.Sha256));
        await stack.AssertOneRecordedCopyPerBucketAsync(objectId);
        var ingestions = await stack.QueryAsync("SELECT count(*) FROM registry.premis_events WHERE file_id = @f AND event_type = 'ingestion'",
            r => r.GetInt64(0), ("f", reportId));
        Assert.Equal(2, ingestions.Single());
        var objectEvents = await stack.QueryAsync("""
            SELECT e.event_type FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id
            WHERE o.identifier = @o AND e.file_id IS NULL AND e.event_type = 'creation'
            """, r => r.GetString(0), ("o", objectId));
        Assert.Single(objectEvents); // created once, by the first ingest
    }

    private static async Task<Dictionary<string, Guid>> FileIdsAsync(IngestStack stack, string objectId) =>
        (await stack.QueryAsync("""
            SELECT f.identifier, f.id FROM registry.generic_files f JOIN registry.intellectual_objects o ON o.id = f.object_id WHERE o.identifier = @o
            """, r => (r.GetString(0), r.GetGuid(1)), ("o", objectId))).ToDictionary(x => x.Item1, x => x.Item2);
}
