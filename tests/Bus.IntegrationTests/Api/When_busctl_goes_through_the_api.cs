using System.Text.Json;
using Bus.IntegrationTests.Ingest;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Api;

/// <summary>
/// busctl's depositor and admin commands (ingest, objects, delete, alerts, fixity check) act through the
/// API as the token's user: the institution and the person come from the token, another institution's
/// things answer the API's 404 problem (exit 1), and a missing, expired or exposed credential stops
/// busctl with a clear message (exit 2) before anything is done.
/// </summary>
[Collection(ApiCollection.Collection)]
public sealed class When_busctl_goes_through_the_api(ApiStack api)
{
    private string Token(string institution, string role) => api.Users[(institution, role)].Token;
    private string Email(string institution, string role) => api.Users[(institution, role)].Email;

    private async Task<(int Exit, JsonElement Json, string Stderr)> RunAsync(string token, params string[] args)
    {
        var p = await api.BusctlAsAsync(token, args);
        Assert.True(p.Stdout.TrimStart().StartsWith('{'), $"busctl {string.Join(' ', args)} printed no JSON (exit {p.ExitCode}): {p.Stderr}");
        return (p.ExitCode, JsonDocument.Parse(p.Stdout).RootElement.Clone(), p.Stderr);
    }

    /// <summary>Exit 1 with the API's not-found problem, its title on stderr.</summary>
    private static void AssertNotFound((int Exit, JsonElement Json, string Stderr) result)
    {
        Assert.True(result.Exit == 1, $"exit {result.Exit}: {result.Json}");
        Assert.Equal("not-found", result.Json.GetProperty("code").GetString());
        Assert.EndsWith("/not-found", result.Json.GetProperty("type").GetString());
        Assert.Contains("No such resource", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_submits_as_the_tokens_user_and_another_institution_sees_nothing()
    {
        var depositor = Token(api.Own, "depositor");
        var folder = Directory.CreateTempSubdirectory("bus-busctl-api-").FullName;
        try
        {
            var tar = new TestBag("cli-" + Guid.NewGuid().ToString("N")[..8]).WriteTar(folder);
            var (exit, done, stderr) = await RunAsync(depositor, "ingest", "submit", tar, "--wait", "--timeout", "240");
            Assert.True(exit == 0, $"{done} {stderr}");
            Assert.Equal(("Completed", api.Own, Email(api.Own, "depositor")),
                (done.GetProperty("state").GetString(), done.GetProperty("institution").GetString(), done.GetProperty("submittedBy").GetString()));
            var id = done.GetProperty("ingestId").GetString()!;

            // A tar already in the receiving prefix, submitted by key.
            var byKey = new TestBag("cli-key-" + Guid.NewGuid().ToString("N")[..8]).WriteTar(folder);
            var key = $"{api.Own}/{Path.GetFileName(byKey)}";
            await api.Stack.S3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = api.Stack.Storage.ReceivingBucket, Key = key, FilePath = byKey });
            var (keyExit, keyDone, keyErr) = await RunAsync(depositor, "ingest", "submit", "--key", key, "--wait", "--timeout", "240");
            Assert.True(keyExit == 0, $"{keyDone} {keyErr}");

            var (listExit, list, _) = await RunAsync(depositor, "ingest", "list", "--state", "completed", "--limit", "1000");
            Assert.Equal(0, listExit);
            Assert.Contains(list.GetProperty("ingests").EnumerateArray(), i => i.GetProperty("ingestId").GetString() == id);
            var (badState, badStateJson, _) = await RunAsync(depositor, "ingest", "list", "--state", "Limbo");
            Assert.Equal(2, badState);
            Assert.Contains("WaitingForItem", badStateJson.GetProperty("error").GetString(), StringComparison.Ordinal);

            AssertNotFound(await RunAsync(Token(api.Other, "depositor"), "ingest", "status", id));
            AssertNotFound(await RunAsync(Token(api.Other, "depositor"), "ingest", "cancel", id));
            var (ended, endedJson, _) = await RunAsync(depositor, "ingest", "cancel", id);
            Assert.Equal((1, "conflict"), (ended, endedJson.GetProperty("code").GetString()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Objects_alerts_and_fixity_checks_are_scoped_to_the_tokens_institution()
    {
        var own = api.Objects[api.Own];
        var (exit, shown, _) = await RunAsync(Token(api.Own, "depositor"), "objects", "show", own);
        Assert.Equal(0, exit);
        Assert.Equal(own, shown.GetProperty("identifier").GetString());
        var file = shown.GetProperty("files")[0].GetProperty("identifier").GetString()!;
        var (fileExit, oneFile, _) = await RunAsync(Token(api.Own, "depositor"), "objects", "show", file);
        Assert.Equal(0, fileExit);
        Assert.Equal(file, Assert.Single(oneFile.GetProperty("files").EnumerateArray()).GetProperty("identifier").GetString());
        var (eventsExit, events, _) = await RunAsync(Token(api.Own, "depositor"), "objects", "events", own);
        Assert.Equal(0, eventsExit);
        Assert.Contains(events.GetProperty("events").EnumerateArray(), e => e.GetProperty("eventType").GetString() == "ingestion");
        AssertNotFound(await RunAsync(Token(api.Other, "depositor"), "objects", "show", own));
        var (invalid, invalidJson, _) = await RunAsync(Token(api.Own, "depositor"), "objects", "show", "no-institution");
        Assert.Equal(2, invalid);
        Assert.Contains("invalid identifier", invalidJson.GetProperty("error").GetString(), StringComparison.Ordinal);

        var ownAlert = await api.RaiseAlertAsync(api.Own);
        var otherAlert = await api.RaiseAlertAsync(api.Other);
        var (listExit, alerts, _) = await RunAsync(Token(api.Own, "institutional_admin"), "alerts", "list");
        Assert.Equal(0, listExit);
        var listed = alerts.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();
        Assert.Contains(ownAlert, listed);
        Assert.DoesNotContain(otherAlert, listed);
        var (forbidden, forbiddenJson, _) = await RunAsync(Token(api.Own, "depositor"), "alerts", "ack", ownAlert.ToString());
        Assert.Equal((1, "forbidden"), (forbidden, forbiddenJson.GetProperty("code").GetString()));
        var (ackExit, acked, _) = await RunAsync(Token(api.Own, "institutional_admin"), "alerts", "ack", ownAlert.ToString());
        Assert.Equal((0, Email(api.Own, "institutional_admin")), (ackExit, acked.GetProperty("acknowledgedBy").GetString()));
        var (again, againJson, _) = await RunAsync(Token(api.Own, "institutional_admin"), "alerts", "ack", ownAlert.ToString());
        Assert.Equal((1, "conflict"), (again, againJson.GetProperty("code").GetString()));
        AssertNotFound(await RunAsync(Token(api.Own, "institutional_admin"), "alerts", "ack", otherAlert.ToString()));

        // No host runs the fixity role here: the checks are queued and stay in flight, which --wait reports (exit 1).
        var (checkExit, check, _) = await RunAsync(Token(api.Own, "institutional_admin"), "fixity", "check", "--object", own, "--wait", "--timeout", "1");
        Assert.Equal(1, checkExit);
        Assert.False(check.GetProperty("allGood").GetBoolean());
        Assert.All(check.GetProperty("checks").EnumerateArray(), c => Assert.Equal("in-flight", c.GetProperty("outcome").GetString()));
        Assert.All(check.GetProperty("checks").EnumerateArray(), c => Assert.Equal(Email(api.Own, "institutional_admin"), c.GetProperty("requestedBy").GetString()));
        AssertNotFound(await RunAsync(Token(api.Other, "institutional_admin"), "fixity", "check", "--object", own));
    }

    [Fact]
    public async Task Deletion_requests_and_decisions_are_the_tokens_users_own()
    {
        // An object of its own (other scenarios decide the fixture's request): registry rows only, never approved here.
        var identifier = await SeedObjectAsync(api.Own);
        var requester = Token(api.Own, "institutional_admin");
        var (requestExit, requested, requestErr) = await RunAsync(requester, "delete", "request", identifier, "--reason", "busctl test");
        Assert.True(requestExit == 0, $"{requested} {requestErr}");
        var request = requested.GetProperty("requestId").GetString()!;

        var (showExit, shown, _) = await RunAsync(Token(api.Own, "depositor"), "delete", "show", request);
        Assert.Equal((0, Email(api.Own, "institutional_admin")), (showExit, shown.GetProperty("requestedBy").GetString()));
        AssertNotFound(await RunAsync(Token(api.Other, "institutional_admin"), "delete", "show", request));
        AssertNotFound(await RunAsync(Token(api.Other, "institutional_admin"), "delete", "approve", request));
        AssertNotFound(await RunAsync(Token(api.Other, "institutional_admin"), "delete", "request", identifier, "--reason", "r"));

        // The requester's own token approving: the deletion service refuses it (two people); a depositor may not decide at all.
        var (self, selfJson, _) = await RunAsync(requester, "delete", "approve", request);
        Assert.Equal((1, "self-approval"), (self, selfJson.GetProperty("code").GetString()));
        var (depositor, depositorJson, _) = await RunAsync(Token(api.Own, "depositor"), "delete", "approve", request);
        Assert.Equal((1, "forbidden"), (depositor, depositorJson.GetProperty("code").GetString()));
        var (cancelExit, cancelled, _) = await RunAsync(requester, "delete", "cancel", request, "--comment", "done testing");
        Assert.Equal((0, "Cancelled"), (cancelExit, cancelled.GetProperty("state").GetString()));
        var (_, after, _) = await RunAsync(Token(api.Own, "depositor"), "delete", "show", request);
        Assert.Equal(("Cancelled", Email(api.Own, "institutional_admin")), (after.GetProperty("state").GetString(), after.GetProperty("decidedBy").GetString()));
    }

    private static async Task<string> SeedObjectAsync(string institution)
    {
        await using var registry = new Bus.Registry.Store.RegistryDatabase(
            Bus.Platform.Database.BusDataSource.Create(new Bus.Platform.Options.PostgresOptions().ConnectionString), ownsDataSource: true);
        var bag = "seeded-" + Guid.NewGuid().ToString("N")[..8];
        var storedAt = DateTimeOffset.UtcNow.AddDays(-1);
        await registry.InTransactionAsync(async store =>
        {
            var obj = await store.UpsertObjectAsync(new Bus.Registry.Store.ObjectRecord(institution, bag, "busctl test", null, Bus.Registry.Model.Access.Institution, "Standard", null, null));
            var file = new Bus.Registry.Store.FileRecord(Guid.NewGuid(), $"{institution}/{bag}/data/a.txt", 5, "text/plain", Bus.Registry.Model.FormatMethods.Extension);
            await store.UpsertFilesAsync(obj.Id, [file]);
            await store.RecordCopiesAsync([new Bus.Registry.Store.StorageCopy(file.Id, "bus-preservation-primary", file.Id.ToString(), null, "Standard", storedAt, storedAt)]);
            return 0;
        });
        return $"{institution}/{bag}";
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_missing_expired_or_exposed_credential_stops_busctl_with_a_clear_message()
    {
        var noToken = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["ingest", "list", "--json"],
            new Dictionary<string, string>(api.Stack.Environment) { ["BUS_TOKEN"] = "" });
        Assert.Equal(2, noToken.ExitCode);
        Assert.Contains("no API token", noToken.Stderr, StringComparison.Ordinal);
        Assert.Contains("busctl users token create", noToken.Stderr, StringComparison.Ordinal);

        var expired = await ApiIdentities.UserWithTokenAsync(api.Own, $"expired-{Guid.NewGuid():N}"[..16] + $"@{api.Own}", "depositor", TimeSpan.FromMinutes(-1));
        var refused = await api.BusctlAsAsync(expired, "objects", "show", api.Objects[api.Own]);
        Assert.Equal(2, refused.ExitCode);
        Assert.EndsWith("/unauthenticated", JsonDocument.Parse(refused.Stdout).RootElement.GetProperty("type").GetString());
        Assert.Contains("busctl users token create", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(expired, refused.Stdout + refused.Stderr, StringComparison.Ordinal);

        var folder = Directory.CreateTempSubdirectory("bus-token-file-").FullName;
        try
        {
            var tokenFile = Path.Combine(folder, "token");
            await File.WriteAllTextAsync(tokenFile, Token(api.Own, "depositor") + "\n");
            File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var withoutEnv = new Dictionary<string, string>(api.Stack.Environment) { ["BUS_TOKEN"] = "" };
            var exposed = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["ingest", "list", "--token-file", tokenFile, "--json"], withoutEnv);
            Assert.Equal(2, exposed.ExitCode);
            Assert.Contains("mode 644", exposed.Stderr, StringComparison.Ordinal);
            Assert.Contains($"chmod 600 {tokenFile}", exposed.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(Token(api.Own, "depositor"), exposed.Stdout + exposed.Stderr, StringComparison.Ordinal);

            File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var kept = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["ingest", "list", "--token-file", tokenFile, "--json"], withoutEnv);
            Assert.True(kept.ExitCode == 0, kept.Stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var nowhere = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["alerts", "list", "--json"],
            new Dictionary<string, string>(api.Stack.Environment) { ["BUS_API_URL"] = $"http://127.0.0.1:{FreePort.Next()}" });
        Assert.Equal(2, nowhere.ExitCode);
        Assert.Contains("cannot reach the Bus API", nowhere.Stderr, StringComparison.Ordinal);
    }
}
