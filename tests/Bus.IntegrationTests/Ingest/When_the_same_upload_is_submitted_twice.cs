using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_the_same_upload_is_submitted_twice
{
    [Fact]
    public async Task It_is_one_ingest_that_records_each_event_once()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("dup-" + Guid.NewGuid().ToString("N")[..8]);
        var tar = stack.WriteTar(bag);

        // Same bytes to the same key: same ETag, so the same ingest id, and the saga ignores the second.
        var first = await stack.BusctlOkAsync("ingest", "submit", tar, "--json");
        var second = await stack.BusctlOkAsync("ingest", "submit", tar, "--json");
        var id = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("ingestId").GetString()!;
        Assert.Equal(id, JsonDocument.Parse(second.Stdout).RootElement.GetProperty("ingestId").GetString());

        var (exit, result) = await stack.SubmitAndWaitAsync(tar); // a third time, following it to the end
        Assert.Equal(0, exit);
        Assert.Equal(id, result.GetProperty("ingestId").GetString());
        var unpackAttempts = result.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == "unpack").GetProperty("attempts").GetInt32();
        Assert.Equal(1, unpackAttempts);

        var perFile = await stack.QueryAsync("""
            SELECT count(*) FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id
            WHERE o.identifier = @o AND e.event_type = 'ingestion' GROUP BY e.file_id
            """, r => r.GetInt64(0), ("o", $"{stack.Institution}/{bag.Name}"));
        Assert.Equal(bag.AllFiles().Count + 1, perFile.Count); // each file and the object
        Assert.All(perFile, count => Assert.Equal(1, count));
    }
}
