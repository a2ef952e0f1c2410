using Bus.IntegrationTests.Support;
using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_deleted_content_is_deposited_again
{
    [Fact]
    public async Task The_same_tar_after_an_approved_deletion_is_a_new_ingest_that_stores_every_file_again()
    {
        await using var stack = await IngestStack.StartAsync(roles: "api,ingest,deletion,scheduler");
        var requester = await ApiIdentities.UserWithTokenAsync(stack.Institution, $"requester@{stack.Institution}", "institutional_admin");
        var admin = await ApiIdentities.UserWithTokenAsync(stack.Institution, $"admin@{stack.Institution}", "institutional_admin");
        var bag = new TestBag("again-" + Guid.NewGuid().ToString("N")[..8]);
        var tar = stack.WriteTar(bag);
        var objectId = $"{stack.Institution}/{bag.Name}";

        var (exit, first) = await stack.SubmitAndWaitAsync(tar);
        Assert.True(exit == 0, first.ToString());
        var firstId = first.GetProperty("ingestId").GetGuid();

        var request = (await DeleteAsync(stack, requester, "request", objectId, "--reason", "test")).GetProperty("requestId").GetGuid();
        await DeleteAsync(stack, admin, "approve", request.ToString());
        await WaitForDeletionAsync(stack, admin, request);
        Assert.Equal("deleted", await ObjectStateAsync(stack, objectId));

        // The very same tar, uploaded again: not the old Completed ingest but a new one that preserves it.
        var (again, second) = await stack.SubmitAndWaitAsync(tar);
        Assert.True(again == 0, second.ToString());
        var secondId = second.GetProperty("ingestId").GetGuid();
        Assert.NotEqual(firstId, secondId);
        Assert.Equal(firstId, second.GetProperty("supersedes").GetGuid());
        Assert.Equal("active", await ObjectStateAsync(stack, objectId));
        var stored = await stack.QueryAsync("SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id AND store_needed", r => r.GetInt64(0), ("id", secondId));
        var files = await stack.QueryAsync("SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id", r => r.GetInt64(0), ("id", secondId));
        Assert.Equal(files, stored);
        var copies = await stack.QueryAsync("""
            SELECT f.state, s.state, s.verified_at IS NOT NULL FROM registry.storage_records s
            JOIN registry.generic_files f ON f.id = s.file_id JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @o
            """, r => (r.GetString(0), r.GetString(1), r.GetBoolean(2)), ("o", objectId));
        Assert.Equal(files.Single() * 2, copies.Count);
        Assert.All(copies, c => Assert.Equal(("active", "active", true), c));
        await stack.AssertOneRecordedCopyPerBucketAsync(objectId);

        // Nothing changed since: the same tar once more is the ingest that preserved it, not a third.
        var (third, same) = await stack.SubmitAndWaitAsync(tar);
        Assert.Equal(0, third);
        Assert.Equal(secondId, same.GetProperty("ingestId").GetGuid());
        Assert.Equal(2, (await stack.QueryAsync("SELECT count(*) FROM bus.ingest_saga WHERE institution = @i", r => r.GetInt64(0),
            ("i", stack.Institution))).Single());
    }

    [Fact]
    public async Task A_reingest_that_would_leave_a_file_without_a_copy_fails_and_records_nothing()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("whole-" + Guid.NewGuid().ToString("N")[..8]);
        var (exit, first) = await stack.SubmitAndWaitAsync(bag);
        Assert.True(exit == 0, first.ToString());
        var objectId = $"{stack.Institution}/{bag.Name}";
        // notes.csv loses its replica record (as if that copy had been lost), then a reingest leaves notes.csv out of the bag.
        await stack.ExecuteAsync("""
            UPDATE registry.storage_records s SET state = 'deleted' FROM registry.generic_files f
            WHERE f.id = s.file_id AND f.identifier = @f AND s.bucket = @b
            """, ("f", $"{objectId}/data/notes.csv"), ("b", stack.Storage.StandardColdBucket()));
        bag.Payload.Remove("data/notes.csv");
        bag.Payload["data/report.txt"] = "changed\n"u8.ToArray();

        var (failedExit, failed) = await stack.SubmitAndWaitAsync(bag);
        Assert.Equal(4, failedExit);
        Assert.Equal("Failed", failed.GetProperty("state").GetString());
        Assert.StartsWith("record: copies-incomplete:", failed.GetProperty("lastError").GetString());
        Assert.Contains($"{objectId}/data/notes.csv", failed.GetProperty("lastError").GetString());
        // The registry still names the first ingest and the first version of report.txt.
        Assert.Equal(first.GetProperty("ingestId").GetGuid(), (await stack.QueryAsync(
            "SELECT last_ingest_id FROM registry.intellectual_objects WHERE identifier = @o", r => r.GetGuid(0), ("o", objectId))).Single());
        Assert.Empty(await stack.QueryAsync("""
            SELECT s.key FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id
            WHERE f.identifier = @f AND s.key LIKE '%/%'
            """, r => r.GetString(0), ("f", $"{objectId}/data/report.txt")));
    }

    private static async Task<JsonElement> DeleteAsync(IngestStack stack, string token, params string[] args)
    {
        var p = await stack.BusctlAsAsync(token, ["delete", .. args, "--json"]);
        Assert.True(p.ExitCode == 0, $"busctl delete {string.Join(' ', args)} exited {p.ExitCode}: {p.Stderr}{p.Stdout}");
        return JsonDocument.Parse(p.Stdout).RootElement.Clone();
    }

    private static async Task WaitForDeletionAsync(IngestStack stack, string token, Guid request)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var state = "";
        while (DateTime.UtcNow < deadline)
        {
            state = (await DeleteAsync(stack, token, "show", request.ToString())).GetProperty("state").GetString()!;
            if (state == "Completed") return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"deletion {request} is {state}; host: {stack.Host?.Process.Stdout}");
    }

    private static async Task<string> ObjectStateAsync(IngestStack stack, string objectId) =>
        (await stack.QueryAsync("SELECT state FROM registry.intellectual_objects WHERE identifier = @o", r => r.GetString(0), ("o", objectId))).Single();
}
