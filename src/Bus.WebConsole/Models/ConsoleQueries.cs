using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Operations.ErrorQueues;
using Bus.Platform.Options;
using Bus.Registry.Model;
using Bus.Registry.Store;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.WebConsole.Models;

/// <summary>
/// The console's aggregate reads (dashboard counts), each one SQL statement scoped as the policy table
/// scopes the same rows in the API: ingests by ReadIngest, objects by ReadObject, alerts by ReadAlerts.
/// </summary>
public sealed class ConsoleQueries(RegistryDatabase registry, IOptions<RabbitMqOptions> rabbit, IOptions<ConsoleOptions> console)
{
    private const string Ended = "('Completed', 'Rejected', 'Failed', 'Cancelled')";

    public NpgsqlDataSource Database => registry.DataSource;

    public async Task<Dashboard> DashboardAsync(ApiCaller caller, CancellationToken ct)
    {
        var ingests = ConsoleScope.For(caller, ApiAction.ReadIngest).InstitutionFilter;
        var objects = ConsoleScope.For(caller, ApiAction.ReadObject).InstitutionFilter;
        var alerts = ConsoleScope.For(caller, ApiAction.ReadAlerts);
        var inFlight = await StateCountsAsync($"""
            SELECT current_state, count(*) FROM bus.ingest_saga
            WHERE current_state NOT IN {Ended} AND (@i::text IS NULL OR institution = @i) GROUP BY 1 ORDER BY 1
            """, ingests, ct);
        var options = console.Value;
        var lastDay = await StateCountsAsync($"""
            SELECT current_state, count(*) FROM bus.ingest_saga
            WHERE current_state IN {Ended} AND finished_at >= now() - @window AND (@i::text IS NULL OR institution = @i) GROUP BY 1 ORDER BY 1
            """, ingests, ct, options.RecentWindow);
        var holdings = new List<InstitutionHoldings>();
        await using (var command = Command("""
            SELECT o.institution, count(DISTINCT o.id), coalesce(sum(f.size), 0)::bigint
            FROM registry.intellectual_objects o
            LEFT JOIN registry.generic_files f ON f.object_id = o.id AND f.state = 'active'
            WHERE o.state = 'active' AND (@i::text IS NULL OR o.institution = @i) GROUP BY 1 ORDER BY 1
            """, objects))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) holdings.Add(new(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        // An alert naming nothing belongs to no institution: only a viewer who sees every institution counts it.
        var openAlerts = alerts.Scope == Scope.None ? 0 : await ScalarAsync("""
            SELECT count(*) FROM registry.alerts
            WHERE acknowledged_at IS NULL AND (@i::text IS NULL OR starts_with(identifier, @i || '/'))
            """, alerts.InstitutionFilter, ct);
        var stuck = await ScalarAsync($"""
            SELECT count(*) FROM bus.ingest_saga
            WHERE current_state NOT IN {Ended} AND updated_at < now() - @window AND (@i::text IS NULL OR institution = @i)
            """, ingests, ct, options.StuckAfter);
        IReadOnlyList<ErrorQueueCount>? queues = null;
        string? unavailable = null;
        if (caller.Role == Roles.Operator)
        {
            try
            {
                queues = (await new ErrorQueueCatalog(rabbit.Value).ListAsync(null, ct))
                    .Select(q => new ErrorQueueCount(q.Name, q.Messages ?? 0)).ToList();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                unavailable = e.Message;
            }
        }
        return new Dashboard(inFlight, lastDay, holdings, openAlerts, stuck, queues, unavailable)
        {
            StuckAfter = options.StuckAfter, RecentWindow = options.RecentWindow, Refresh = options.DashboardRefresh,
        };
    }

    private NpgsqlCommand Command(string sql, string? institution, TimeSpan? window = null)
    {
        var command = registry.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string?>("i", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = institution });
        if (window is { } w) command.Parameters.Add(new NpgsqlParameter<TimeSpan>("window", NpgsqlTypes.NpgsqlDbType.Interval) { TypedValue = w });
        return command;
    }

    private async Task<List<StateCount>> StateCountsAsync(string sql, string? institution, CancellationToken ct, TimeSpan? window = null)
    {
        var rows = new List<StateCount>();
        await using var command = Command(sql, institution, window);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(new(reader.GetString(0), reader.GetInt64(1)));
        return rows;
    }

    private async Task<long> ScalarAsync(string sql, string? institution, CancellationToken ct, TimeSpan? window = null)
    {
        await using var command = Command(sql, institution, window);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
