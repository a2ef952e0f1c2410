using System.Text.Json;
using Amazon.S3.Model;
using Bus.IntegrationTests.Ingest;
using Bus.IntegrationTests.Support;
using Bus.Platform.Options;
using Bus.Registry.Store;
using Bus.Restore.SpotTests;

namespace Bus.IntegrationTests.Restore;

/// <summary>
/// One stack for the spot test scenarios: a host with the api, ingest, restore and scheduler roles in a vhost of its
/// own. Spot tests are off for every institution (the shared database holds many) but the one the sweep scenario
/// uses, which the host sweeps every second; the other scenarios each make an institution of their own and run their
/// spot test with busctl, so the random pick has one object to choose.
/// </summary>
public sealed class SpotTestWorld : IAsyncLifetime
{
    public IngestStack Stack { get; private set; } = null!;
    /// <summary>The institution the sweep tests every day (an override of the default, which is off here); it has no object yet.</summary>
    public string SweptInstitution { get; } = $"s{Guid.NewGuid():N}"[..13] + ".test.edu";

    public async Task InitializeAsync()
    {
        Stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Restore__PartMiB"] = "5",
            ["Bus__Restore__ItemLockRetryDelay"] = "00:00:01",
            ["Bus__Restore__SpotTestInterval"] = "00:00:00",
            [$"Bus__Restore__SpotTestIntervals__{SweptInstitution}"] = "1.00:00:00",
            ["Bus__Restore__SpotTestSweepStartDelay"] = "00:00:00",
            ["Bus__Restore__SpotTestSweepInterval"] = "00:00:01",
        }, roles: "api,ingest,restore,scheduler");
        await Stack.S3.PutBucketAsync(new PutBucketRequest { BucketName = RestoreWorld.RestoreBucket });
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();

    /// <summary>Ingests <paramref name="bag"/> as a depositor of <paramref name="institution"/> (made if new); returns the object identifier.</summary>
    public async Task<string> IngestAsync(string institution, TestBag bag)
    {
        var token = await ApiIdentities.UserWithTokenAsync(institution, $"depositor@{institution}", "depositor");
        var p = await Stack.BusctlAsAsync(token, "ingest", "submit", Stack.WriteTar(bag), "--wait", "--json", "--timeout", "240");
        Assert.True(p.ExitCode == 0, $"ingest exit {p.ExitCode}: {p.Stdout}{p.Stderr}\nhost: {Stack.Host?.Process.Stdout}");
        return $"{institution}/{bag.Name}";
    }

    public static string NewInstitution() => $"p{Guid.NewGuid():N}"[..13] + ".test.edu";

    /// <summary><c>busctl spot-tests run --institution X --wait --json</c>: the exit code and the document.</summary>
    public async Task<(int ExitCode, JsonElement Result)> RunAsync(string institution)
    {
        var p = await Stack.BusctlAsync("spot-tests", "run", "--institution", institution, "--wait", "--timeout", "240", "--json");
        var json = p.Stdout.Trim();
        Assert.True(json.StartsWith('{'), $"busctl printed no JSON (exit {p.ExitCode}): {p.Stderr}\nhost: {Stack.Host?.Process.Stdout}");
        return (p.ExitCode, JsonDocument.Parse(json).RootElement.Clone());
    }

    /// <summary><c>busctl spot-tests list --institution X --json</c>.</summary>
    public async Task<List<JsonElement>> ListAsync(string institution)
    {
        var p = await Stack.BusctlOkAsync("spot-tests", "list", "--institution", institution, "--json");
        return JsonDocument.Parse(p.Stdout).RootElement.GetProperty("spotTests").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    public Task<List<(string Kind, string Message)>> AlertsAsync(string identifier) =>
        Stack.QueryAsync("SELECT kind, message FROM registry.alerts WHERE identifier = @i ORDER BY created_at", r => (r.GetString(0), r.GetString(1)), ("i", identifier));

    /// <summary>
    /// What one sweep with the host's spot test settings would ask for now (<see cref="SpotTestSweep.DueAsync"/>: reads
    /// only): the test drives the sweep's decision itself instead of waiting for the host's next sweeps.
    /// </summary>
    public async Task<IReadOnlyList<SweptSpotTest>> SweepAsync()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new SpotTestOptions
        {
            SpotTestInterval = TimeSpan.Zero,
            SpotTestIntervals = new(StringComparer.OrdinalIgnoreCase) { [SweptInstitution] = TimeSpan.FromDays(1) },
        });
        await using var registry = new RegistryDatabase(Bus.Platform.Database.BusDataSource.Create(new PostgresOptions().ConnectionString), ownsDataSource: true);
        var sweep = new SpotTestSweep(new SpotTestRecords(IngestStack.Database), registry, NoSends.Instance, options, TimeProvider.System);
        return await sweep.DueAsync(DateTimeOffset.UtcNow, CancellationToken.None);
    }

    private sealed class NoSends : MassTransit.ISendEndpointProvider
    {
        public static readonly NoSends Instance = new();
        public MassTransit.ConnectHandle ConnectSendObserver(MassTransit.ISendObserver observer) => throw new NotSupportedException();
        public Task<MassTransit.ISendEndpoint> GetSendEndpoint(Uri address) => throw new NotSupportedException("DueAsync sends nothing");
    }

    public Task<int> SpotTestCopiesAsync(string institution) => Stack.CountObjectsAsync(RestoreWorld.RestoreBucket, $"spot-tests/{institution}/");
}
