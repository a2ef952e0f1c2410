using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MassTransit;

namespace Bus.Workflows.Steps;

/// <summary>
/// The host's "stopping" signal as long-running consumers see it. It fires on SIGTERM before any hosted
/// service stops, so a step can checkpoint and send its continuation while the bus still runs;
/// MassTransit itself cancels a consume context only once its stop timeout has run out, which is too late.
/// </summary>
public sealed class ShutdownSignal
{
    private readonly Func<bool> _isStopping;

    public ShutdownSignal(CancellationToken stopping) : this(() => stopping.IsCancellationRequested) { }

    /// <summary>For tests that play a host stopping and then another one starting.</summary>
    public ShutdownSignal(Func<bool> isStopping) => _isStopping = isStopping;

    public bool IsStopping => _isStopping();

    /// <summary>
    /// The signal a consumer sees: the registered one (<see cref="ShutdownSignalServices.AddShutdownSignal"/>),
    /// else the host's ApplicationStopping, else none (a harness without a host).
    /// </summary>
    public static ShutdownSignal Of(ConsumeContext context)
    {
        if (!context.TryGetPayload(out IServiceProvider? services)) return Never;
        return services.GetService<ShutdownSignal>()
               ?? new ShutdownSignal(services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None);
    }

    private static readonly ShutdownSignal Never = new(() => false);
}

/// <summary>
/// How long a step may hold one broker message, and whether it should yield now: the one notion of a
/// time slice, used by <see cref="StepRun{T}"/> and by steps that slice a read themselves (fixity).
/// </summary>
public sealed class TimeSlice
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly TimeSpan _length;
    private readonly ShutdownSignal _signal;
    private readonly CancellationToken _consume;

    private TimeSlice(TimeSpan length, ShutdownSignal signal, CancellationToken consume)
    {
        _length = length;
        _signal = signal;
        _consume = consume;
    }

    public static TimeSlice Start(TimeSpan length, ShutdownSignal signal, CancellationToken consume) => new(length, signal, consume);

    public TimeSpan Elapsed => _elapsed.Elapsed;
    public bool IsSpent => _elapsed.Elapsed >= _length;
    /// <summary>The host is stopping (SIGTERM) or the message's consume context was cancelled.</summary>
    public bool IsStopping => _signal.IsStopping || _consume.IsCancellationRequested;
    /// <summary>Checkpoint and continue in a new message (any process may take it).</summary>
    public bool ShouldYield => IsSpent || IsStopping;
}

public static class ShutdownSignalServices
{
    /// <summary>The signal from the host's lifetime; without a host (tests, busctl) it never fires.</summary>
    public static IServiceCollection AddShutdownSignal(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ShutdownSignal(sp.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None));
        return services;
    }
}
