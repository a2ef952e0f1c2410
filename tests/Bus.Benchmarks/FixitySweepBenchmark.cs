using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bus.Platform;
using Bus.Platform.Options;
using Bus.Registry.Migrations;
using Bus.Registry.Store;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Bus.Benchmarks;

/// <summary>
/// Issue 5 item 1: the fixity sweep's selection on 1,000,000 storage records must take under 100 ms.
/// Builds the registry's tables (same DDL as the migration) in a throwaway schema, fills them
/// server-side, and times the production query text (<see cref="FixitySweepSql"/>); drops the schema.
/// </summary>
public sealed partial class FixitySweepBenchmark : IBenchmark
{
    public string Name => "fixity-sweep";
    public string Description => "Fixity sweep selection on 1,000,000 storage records (goal < 100 ms)";

    private const int Files = 500_000;          // two copies each (primary, replica): 1,000,000 storage records
    private const int Limit = 2_500;            // the sweep's default batch
    private const int Runs = 11;

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var connectionString = BusConfiguration.Build().GetSection(PostgresOptions.Section).Get<PostgresOptions>()?.ConnectionString
            ?? new PostgresOptions().ConnectionString;
        var schema = $"bench_fixity_{Environment.ProcessId}";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        try
        {
            var fill = Stopwatch.StartNew();
            await ExecuteAsync(connection, RegistrySchemaSql.Create(schema), cancellationToken);
            await ExecuteAsync(connection, Fill(schema), cancellationToken);
            fill.Stop();
            var rows = await ScalarAsync(connection, $"SELECT count(*) FROM {schema}.storage_records", cancellationToken);
            var due = await ScalarAsync(connection,
                $"SELECT count(*) FROM {schema}.storage_records WHERE state = 'active' AND coalesce(last_fixity_at, stored_at) < now() - interval '90 days'", cancellationToken);

            var checkedBefore = DateTimeOffset.UtcNow.AddDays(-90);
            var selectWall = new List<double>();
            var selectServer = new List<double>();
            var claimServer = new List<double>();
            string plan = "", claimPlan = "";
            for (var i = 0; i < Runs; i++)
            {
                var sw = Stopwatch.StartNew();
                var returned = await CountRowsAsync(connection, FixitySweepSql.Select(schema), checkedBefore, cancellationToken);
                sw.Stop();
                if (returned != Limit) throw new InvalidOperationException($"sweep returned {returned} rows, expected {Limit}");
                (var ms, plan) = await ExplainAsync(connection, FixitySweepSql.Select(schema), checkedBefore, null, cancellationToken);
                // Claims write: measure each in a transaction rolled back, so every run sees the same table.
                await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
                {
                    (var claimMs, claimPlan) = await ExplainAsync(connection, FixitySweepSql.Claim(schema), checkedBefore, tx, cancellationToken);
                    if (i > 0) claimServer.Add(claimMs);
                    await tx.RollbackAsync(cancellationToken);
                }
                if (i == 0) continue; // first run warms the cache
                selectWall.Add(sw.Elapsed.TotalMilliseconds);
                selectServer.Add(ms);
            }

            Console.WriteLine($"""

                ## Fixity sweep query

                `make bench-fixity-sweep` ({DateTime.UtcNow:yyyy-MM-dd}): {rows:N0} storage records ({Files:N0} files × 2 buckets, about 5% tombstoned,
                {due:N0} due), sweep of the {Limit:N0} oldest due copies, {Runs - 1} timed runs after one warm-up, PostgreSQL on the same machine
                (filled in {fill.Elapsed.TotalSeconds:F0} s).

                | query | median | min | max |
                |---|---|---|---|
                | select (client wall time, rows read) | {Median(selectWall):F1} ms | {selectWall.Min():F1} ms | {selectWall.Max():F1} ms |
                | select (EXPLAIN ANALYZE execution time) | {Median(selectServer):F1} ms | {selectServer.Min():F1} ms | {selectServer.Max():F1} ms |
                | claim with lease (EXPLAIN ANALYZE, rolled back) | {Median(claimServer):F1} ms | {claimServer.Min():F1} ms | {claimServer.Max():F1} ms |

                Select plan (last run):

                ```
                {plan}
                ```

                Claim plan (last run):

                ```
                {claimPlan}
                ```
                """);
            return Median(selectWall) < 100 ? 0 : 1;
        }
        finally
        {
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {schema} CASCADE", CancellationToken.None);
        }
    }

    // Server-side generation: one institution and object, files with two copies each. Stored times
    // spread over 400 days; 70% of copies checked within the last 120 days; 5% of files tombstoned.
    private static string Fill(string schema) => $"""
        INSERT INTO {schema}.institutions (identifier, name) VALUES ('bench.test.edu', 'Benchmark');
        INSERT INTO {schema}.intellectual_objects (identifier, institution, bag_name, title, access, storage_option)
            OVERRIDING SYSTEM VALUE VALUES ('bench.test.edu/bag', 'bench.test.edu', 'bag', 'Benchmark', 'Institution', 'Standard');
        INSERT INTO {schema}.generic_files (id, identifier, object_id, size, format, state)
            SELECT gen_random_uuid(), 'bench.test.edu/bag/data/' || g, (SELECT id FROM {schema}.intellectual_objects), 1024, 'text/plain',
                   CASE WHEN random() < 0.05 THEN 'deleted' ELSE 'active' END
            FROM generate_series(1, {Files}) g;
        INSERT INTO {schema}.storage_records (file_id, bucket, key, storage_option, stored_at, last_fixity_at, last_fixity_outcome, state)
            SELECT f.id, b.bucket, f.id::text, 'Standard', t.stored_at,
                   CASE WHEN random() < 0.7 THEN greatest(t.stored_at, now() - random() * interval '120 days') END,
                   'success', f.state
            FROM {schema}.generic_files f
            CROSS JOIN (VALUES ('bus-preservation-primary'), ('bus-preservation-replica')) AS b (bucket)
            -- Correlated (WHERE f.id ...) so random() is drawn per file, not once for the whole insert.
            CROSS JOIN LATERAL (SELECT now() - random() * interval '400 days' AS stored_at WHERE f.id IS NOT NULL) t;
        ANALYZE {schema}.generic_files;
        ANALYZE {schema}.storage_records;
        """;

    private static async Task<int> CountRowsAsync(NpgsqlConnection connection, string sql, DateTimeOffset checkedBefore, CancellationToken cancellationToken)
    {
        await using var command = Parameters(new NpgsqlCommand(sql, connection), checkedBefore);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var n = 0;
        while (await reader.ReadAsync(cancellationToken)) n++;
        return n;
    }

    private static async Task<(double Ms, string Plan)> ExplainAsync(NpgsqlConnection connection, string sql, DateTimeOffset checkedBefore, NpgsqlTransaction? tx, CancellationToken cancellationToken)
    {
        await using var command = Parameters(new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection, tx), checkedBefore);
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) lines.Add(reader.GetString(0));
        var execution = lines.Select(l => ExecutionTime().Match(l)).First(m => m.Success);
        return (double.Parse(execution.Groups[1].Value, CultureInfo.InvariantCulture), string.Join('\n', lines));
    }

    private static NpgsqlCommand Parameters(NpgsqlCommand command, DateTimeOffset checkedBefore)
    {
        command.Parameters.AddWithValue("checked_before", checkedBefore);
        command.Parameters.AddWithValue("limit", Limit);
        command.Parameters.AddWithValue("lease", NpgsqlTypes.NpgsqlDbType.Interval, TimeSpan.FromHours(1));
        return command;
    }

    [GeneratedRegex(@"Execution Time: ([0-9.]+) ms")]
    private static partial Regex ExecutionTime();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }
}
