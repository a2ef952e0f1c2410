namespace Bus.IntegrationTests.Operations;

/// <summary>bus.saga_status maps each saga type's columns; bus.saga_stuck keeps only non-terminal sagas idle past the threshold.</summary>
public class SagaViewsReturnRightRowsTests
{
    [Fact]
    public async Task Status_and_stuck_views_return_the_right_rows()
    {
        await using var rows = new SagaRows();
        var hour = TimeSpan.FromHours(1);
        // Faulted deletion: entered Deleting 5h ago and Faulted 2h ago; state_since is the latter.
        var faulted = await rows.DeletionAsync("Faulted", 2 * hour, faultReason: "Amazon.S3: denied", refusalCode: "locked", refusalReason: "older");
        await rows.TransitionAsync("DeletionState", faulted, "PendingApproval", "Deleting", 5 * hour);
        await rows.TransitionAsync("DeletionState", faulted, "Deleting", "Faulted", 2 * hour);
        // Completed long ago: terminal, never stuck.
        var completed = await rows.DeletionAsync("Completed", 9 * hour);
        await rows.TransitionAsync("DeletionState", completed, "Deleting", "Completed", 9 * hour);
        // Refused: last_error falls back to the refusal.
        var refused = await rows.DeletionAsync("Refused", 3 * hour, refusalCode: "unknown-identifier", refusalReason: "no such object");
        // Fixity check verifying for a minute: not stuck; no file identifier yet, so the storage record is the key.
        var verifying = await rows.FixityAsync("Verifying", TimeSpan.FromMinutes(1), null, 987654321);
        await rows.TransitionAsync("FixityCheckState", verifying, null, "Verifying", TimeSpan.FromMinutes(1));
        // Fixity check repairing for 3h: stuck.
        var repairing = await rows.FixityAsync("Repairing", 3 * hour, "test.edu/bag/data/file.txt", 987654322, "mismatch");
        await rows.TransitionAsync("FixityCheckState", repairing, "Verifying", "Repairing", 3 * hour);
        Guid[] ids = [faulted, completed, refused, verifying, repairing];

        var status = (await rows.QueryAsync("SELECT * FROM bus.saga_status WHERE correlation_id = ANY(@ids)", ("ids", ids)))
            .ToDictionary(r => (Guid)r["correlation_id"]!);

        Assert.Equal(5, status.Count);
        Assert.Equal("deletion", status[faulted]["saga_type"]);
        Assert.Equal("Faulted", status[faulted]["current_state"]);
        Assert.Equal($"test.edu/{rows.Tag}-{faulted:N}", status[faulted]["business_key"]);
        Assert.Equal("Amazon.S3: denied", status[faulted]["last_error"]);
        Assert.Equal(false, status[faulted]["terminal"]);
        var since = (DateTime)status[faulted]["state_since"]!;
        Assert.InRange(DateTime.UtcNow - since, 2 * hour - TimeSpan.FromMinutes(5), 2 * hour + TimeSpan.FromMinutes(5));
        Assert.Equal(true, status[completed]["terminal"]);
        Assert.Equal("unknown-identifier: no such object", status[refused]["last_error"]);
        Assert.Null(status[refused]["state_since"]);
        Assert.Equal("fixity", status[verifying]["saga_type"]);
        Assert.Equal("storage record 987654321", status[verifying]["business_key"]);
        Assert.Equal("test.edu/bag/data/file.txt", status[repairing]["business_key"]);
        Assert.Equal("mismatch", status[repairing]["last_error"]);
        Assert.Null(status[repairing]["attempts"]);

        var stuck = (await rows.QueryAsync("SELECT correlation_id FROM bus.saga_stuck WHERE correlation_id = ANY(@ids)", ("ids", ids)))
            .Select(r => (Guid)r["correlation_id"]!).ToHashSet();
        Assert.Equal(new[] { faulted, repairing }.Order(), stuck.Order());

        // The function takes another threshold: at 150 minutes only the 3h-idle repair is stuck.
        var longer = (await rows.QueryAsync("SELECT correlation_id, stuck_for FROM bus.saga_stuck(interval '150 minutes') WHERE correlation_id = ANY(@ids)", ("ids", ids)));
        Assert.Equal([repairing], longer.Select(r => (Guid)r["correlation_id"]!));
        Assert.True((TimeSpan)longer[0]["stuck_for"]! > TimeSpan.FromMinutes(150));
    }
}
