using Bus.Platform.Options;
using Bus.Restore.StateMachines.Messages;
using Bus.Restore.Steps;
using Bus.Workflows.Watchdog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Restore.StateMachines;

/// <summary>
/// What the saga watchdog knows of a restore: Preparing waits on PrepareRestore, as <see cref="RestoreStateMachine"/>
/// sends it (it carries the restore id only; the plan is rows, so a second delivery resumes). Writing is left alone
/// (see below). The waiting states are the scheduler's.
/// </summary>
public static class RestoreWatch
{
    public static SagaWatch<RestoreState> Create(RestoreOptions options)
    {
        var limit = StuckLimit.For(options.TimeSlice, RestoreStepPolicy.For(options));
        return new SagaWatch<RestoreState>("restore")
            .Resend(nameof(RestoreStateMachine.Preparing), limit, s => new(RestoreStateMachine.PrepareAddress, new PrepareRestore(s.CorrelationId)))
            // Not re-sent: the writer's slices continue by message without touching the saga row or a heartbeat, so a long
            // healthy write looks stalled, and a second WriteRestore would start a second chain of slices on one checkpoint.
            .Leave(nameof(RestoreStateMachine.Writing), "a long write continues slice by slice without a heartbeat; a stalled one shows in bus.saga_stuck")
            .Leave(nameof(RestoreStateMachine.WaitingForItem), "its item-lock retry is a scheduled message, sent by the scheduler")
            .Leave(nameof(RestoreStateMachine.WaitingForCopies), "its next look at the cold copies is a scheduled message, sent by the scheduler")
            .Leave(nameof(RestoreStateMachine.Faulted), "a step faulted after its retries: it waits for an operator's replay")
            .IdentifiedBy(s => s.ObjectIdentifier);
    }

    /// <summary>For the scheduler role's watchdog, whichever roles the process runs.</summary>
    public static IServiceCollection AddRestoreWatch(this IServiceCollection services, IConfiguration configuration)
    {
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<RestoreOptions>))) services.AddBusOptions<RestoreOptions>(configuration);
        return services.AddSagaWatch(sp => Create(sp.GetRequiredService<IOptions<RestoreOptions>>().Value));
    }
}
