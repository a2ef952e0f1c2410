namespace Bus.IntegrationTests.Operations;

/// <summary>bus.saga_status includes ingest sagas (bus.saga_status_ingest); a parked or long-idle ingest shows in bus.saga_stuck.</summary>
public class IngestSagasInSagaViewsTests
{
    [Fact]
    public async Task Should_list_ingests_with_state_step_attempts_and_error_and_show_stuck_ones()
    {
        await using var rows = new SagaRows();
        var hour = TimeSpan.FromHours(1);
        // Parked in Store 2h ago after three attempts: not terminal (it holds its item lock), stuck.
        var faulted = await rows.IngestAsync("Faulted", 2 * hour, "store", storeAttempts: 3, lastError: "store: Amazon.S3.AmazonS3Exception: NoSuchBucket");
        await rows.TransitionAsync("IngestState", faulted, "Storing", "Faulted", 2 * hour);
        // Storing for a minute: not stuck.
        var storing = await rows.IngestAsync("Storing", TimeSpan.FromMinutes(1), "store", storeAttempts: 1);
        await rows.TransitionAsync("IngestState", storing, "Identifying", "Storing", TimeSpan.FromMinutes(1));
        // Completed long ago: terminal, never stuck.
        var completed = await rows.IngestAsync("Completed", 5 * hour, null);
        await rows.TransitionAsync("IngestState", completed, "CleaningUp", "Completed", 5 * hour);
        Guid[] ids = [faulted, storing, completed];

        var status = (await rows.QueryAsync("SELECT * FROM bus.saga_status WHERE correlation_id = ANY(@ids)", ("ids", ids)))
            .ToDictionary(r => (Guid)r["correlation_id"]!);

        Assert.Equal(3, status.Count);
        Assert.All(status.Values, r => Assert.Equal("ingest", r["saga_type"]));
        Assert.Equal("Faulted", status[faulted]["current_state"]);
        Assert.Equal($"test.edu/{rows.Tag}-{faulted:N}", status[faulted]["business_key"]);
        Assert.Equal(3, status[faulted]["attempts"]);
        Assert.Equal("store: Amazon.S3.AmazonS3Exception: NoSuchBucket", status[faulted]["last_error"]);
        Assert.Equal(false, status[faulted]["terminal"]);
        var since = (DateTime)status[faulted]["state_since"]!;
        Assert.InRange(DateTime.UtcNow - since, 2 * hour - TimeSpan.FromMinutes(5), 2 * hour + TimeSpan.FromMinutes(5));
        Assert.Equal("Storing", status[storing]["current_state"]);
        Assert.Equal(1, status[storing]["attempts"]);
        Assert.Equal(true, status[completed]["terminal"]);

        var stuck = (await rows.QueryAsync("SELECT correlation_id FROM bus.saga_stuck WHERE correlation_id = ANY(@ids)", ("ids", ids)))
            .Select(r => (Guid)r["correlation_id"]!);
        Assert.Equal([faulted], stuck);
    }
}
