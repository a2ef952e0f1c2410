using Bus.Workflows.Copies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bus.Fixity.Data;

namespace Bus.Fixity.Sweep;

/// <summary>
/// Runs a sweep <see cref="FixityOptions.SweepStartDelay"/> after the host starts and then every
/// <see cref="FixityOptions.SweepInterval"/>, skipping a turn when another host swept within half an
/// interval (several fixity hosts share the work instead of each sweeping). A failed sweep is logged
/// and the next one runs on time.
/// </summary>
public sealed class FixitySweepService(IServiceScopeFactory scopes, CheckLedger ledger, TimeProvider clock, IOptions<FixityOptions> options, ILogger<FixitySweepService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SweepEnabled)
        {
            logger.LogInformation("Fixity sweep disabled (Bus:Fixity:SweepEnabled=false)");
            return;
        }
        await Task.Delay(options.Value.SweepStartDelay, clock, stoppingToken);
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        do
        {
            try
            {
                if (await ledger.LastSweepStartedAsync(stoppingToken) is { } last && clock.GetUtcNow() - last < options.Value.SweepInterval / 2)
                {
                    logger.LogInformation("Fixity sweep skipped: another sweep started at {Last:u}", last);
                    continue;
                }
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<FixitySweeper>()
                    .RunAsync(null, null, $"sweep@{Environment.MachineName}", stoppingToken);
                logger.LogInformation("Fixity sweep {RunId}: {Claimed} copies due before {CheckedBefore:u}, {Queued} checks queued",
                    result.RunId, result.Claimed, result.CheckedBefore, result.Queued);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Fixity sweep failed; the next runs in {Interval}", options.Value.SweepInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
