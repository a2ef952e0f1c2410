using Bus.Workflows.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Restore.SpotTests;

/// <summary>
/// Runs the spot test sweep in the scheduler role, <see cref="SpotTestOptions.SpotTestSweepStartDelay"/> after the host
/// starts and then every <see cref="SpotTestOptions.SpotTestSweepInterval"/>. One host at a time: a sweep runs only
/// while its host holds a PostgreSQL advisory lock, so with several scheduler hosts the others skip that turn (and
/// even two sweeps at once would name the same spot tests). A failed sweep is logged and the next runs on time.
/// </summary>
public sealed class SpotTestSweepService(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, TimeProvider clock, IOptions<SpotTestOptions> options,
    ILogger<SpotTestSweepService> logger) : BackgroundService
{
    /// <summary>The advisory lock key: the same for every host sharing the database.</summary>
    public static readonly long LockKey = LeaderLock.Key("bus.restore.spot-test-sweep");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        await Task.Delay(o.SpotTestSweepStartDelay, clock, stoppingToken);
        using var timer = new PeriodicTimer(o.SpotTestSweepInterval, clock);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Spot test sweep failed; the next runs in {Interval}", o.SpotTestSweepInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SweepOnceAsync(CancellationToken ct)
    {
        var connection = await LeaderLock.TryTakeAsync(dataSource, LockKey, ct);
        if (connection is null)
        {
            logger.LogInformation("Spot test sweep skipped: another host is sweeping");
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var started = await scope.ServiceProvider.GetRequiredService<SpotTestSweep>().RunAsync($"sweep@{Environment.MachineName}", ct);
            if (started.Count > 0)
                logger.LogInformation("Spot test sweep: {Count} institution(s) due, spot tests requested: {Institutions}", started.Count,
                    string.Join(", ", started.Select(s => $"{s.Institution} ({s.SpotTestId})")));
        }
        finally
        {
            await LeaderLock.ReleaseAsync(connection, LockKey);
        }
    }
}
