using System.Diagnostics;
using Bus.Platform;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Store;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Bus.Benchmarks;

/// <summary>
/// What ingest's Record step costs for a 100,000-file bag: files, four ingest checksums each, two
/// copies each, five PREMIS events each, then the same writes again (a retried step: all no-ops).
/// Runs in one transaction that is rolled back, so the shared registry tables keep nothing.
/// </summary>
public sealed class RegistryRecordBenchmark : IBenchmark
{
    public string Name => "registry-record";
    public string Description => "Registry writes for a 100,000-file bag (RegistryStore bulk paths), rolled back";

    private const int Files = 100_000;

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var connectionString = BusConfiguration.Build().GetSection(PostgresOptions.Section).Get<PostgresOptions>()?.ConnectionString
            ?? new PostgresOptions().ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var store = new RegistryStore(connection, transaction);

        var institution = $"bench{Environment.ProcessId}.test.edu";
        await store.EnsureInstitutionAsync(institution, "Benchmark", cancellationToken);
        var obj = await store.UpsertObjectAsync(new ObjectRecord(institution, "bag", "Benchmark", null, Access.Institution, "Standard", "aptrust", Guid.NewGuid()), cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var files = Enumerable.Range(0, Files).Select(i => new FileRecord(Guid.NewGuid(), $"{obj.Identifier}/data/{i:D6}.txt", 1024, "text/plain", FormatMethods.Libmagic)).ToList();
        var checksums = files.SelectMany(f => DigestAlgorithms.All.Select(a => new ChecksumRecord(f.Id, a, Hex(f.Id, a), now, ChecksumSources.Ingest))).ToList();
        var copies = files.SelectMany(f => new[] { "primary", "replica" }.Select(b => new StorageCopy(f.Id, b, f.Id.ToString(), "etag", "Standard", now, now))).ToList();
        string[] types = [EventTypes.Ingestion, EventTypes.FixityCheck, EventTypes.MessageDigestCalculation, EventTypes.Replication, EventTypes.IdentifierAssignment];
        var events = files.SelectMany(f => types.Select(t => new EventRecord(Guid.NewGuid(), obj.Id, f.Id, f.Identifier, t, now, Outcomes.Success, t, null, "bus"))).ToList();

        var rows = new List<(string What, int Rows, double First, double Retry)>();
        async Task Measure(string what, int count, Func<Task<int>> write)
        {
            var first = Stopwatch.StartNew(); await write(); first.Stop();
            var retry = Stopwatch.StartNew(); var again = await write(); retry.Stop();
            if (again != 0) throw new InvalidOperationException($"{what}: the retry wrote {again} rows");
            rows.Add((what, count, first.Elapsed.TotalSeconds, retry.Elapsed.TotalSeconds));
        }
        await Measure("files (UpsertFilesAsync)", files.Count, () => store.UpsertFilesAsync(obj.Id, files, cancellationToken));
        await Measure("checksums (AddChecksumsAsync)", checksums.Count, () => store.AddChecksumsAsync(checksums, cancellationToken));
        await Measure("events (AddEventsAsync)", events.Count, () => store.AddEventsAsync(events, cancellationToken));
        await Measure("storage copies (RecordCopiesAsync)", copies.Count, () => store.RecordCopiesAsync(copies, cancellationToken));
        var lookup = Stopwatch.StartNew();
        var existing = await store.GetFilesByPathAsync(obj.Identifier, cancellationToken);
        lookup.Stop();
        if (existing.Count != Files) throw new InvalidOperationException($"lookup returned {existing.Count} files");
        await transaction.RollbackAsync(cancellationToken);

        Console.WriteLine($"""

            ## Registry record (100,000-file bag)

            `make bench-registry-record` ({DateTime.UtcNow:yyyy-MM-dd}): RegistryStore's bulk writes for {Files:N0} files in one transaction
            (rolled back), PostgreSQL on the same machine. "Retry" is the same call again, as a redelivered Record step makes it.

            | write | rows | first | retry |
            |---|---|---|---|
            {string.Join("\n", rows.Select(r => $"| {r.What} | {r.Rows:N0} | {r.First:F1} s ({r.Rows / r.First:N0} rows/s) | {r.Retry:F1} s |"))}
            | reingest lookup (GetFilesByPathAsync) | {Files:N0} | {lookup.Elapsed.TotalSeconds:F1} s | |
            """);
        return 0;
    }

    private static string Hex(Guid id, string algorithm)
    {
        var length = algorithm switch { "md5" => 32, "sha1" => 40, "sha256" => 64, _ => 128 };
        var hex = id.ToString("N");
        return string.Concat(Enumerable.Repeat(hex, 4))[..length];
    }
}
