using Bus.Fixity.StateMachines.Messages;
using Bus.Fixity.Steps;
using Bus.Platform.Options;
using Bus.Workflows.Watchdog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Fixity.StateMachines;

/// <summary>
/// What the saga watchdog knows of a fixity check: Verifying waits on VerifyCopy, Repairing on RepairCopy, as
/// <see cref="FixityCheckStateMachine"/> sends them. The steps run under the check id (their sliced reads' heartbeats
/// in bus.copy_read_slices); a duplicate read is harmless: recording a slice is a compare-and-set, so of two
/// deliveries only one carries the read on.
/// </summary>
public static class FixityWatch
{
    public static SagaWatch<FixityCheckState> Create(FixityOptions options)
    {
        var limit = StuckLimit.For(options.TimeSlice, FixityStepPolicy.For(options));
        return new SagaWatch<FixityCheckState>("fixity")
            .Resend(nameof(FixityCheckStateMachine.Verifying), limit,
                s => new(FixityCheckStateMachine.VerifyAddress, new VerifyCopy(s.CheckId, s.StorageRecordId)))
            .Resend(nameof(FixityCheckStateMachine.Repairing), limit,
                s => new(FixityCheckStateMachine.RepairAddress, new RepairCopy(s.CheckId, s.StorageRecordId, s.Condition ?? "")))
            .Leave(nameof(FixityCheckStateMachine.WaitingForColdRead), "its next look at the restoring cold copy is a scheduled message, sent by the scheduler")
            .Leave(nameof(FixityCheckStateMachine.WaitingForRepairSource), "its next look at the restoring cold repair source is a scheduled message, sent by the scheduler")
            .Leave(nameof(FixityCheckStateMachine.Faulted), "a step faulted after its retries: it waits for a replay or a new check request")
            .HeartbeatsBy("check_id")
            .IdentifiedBy(s => s.FileIdentifier);
    }

    /// <summary>For the scheduler role's watchdog, whichever roles the process runs.</summary>
    public static IServiceCollection AddFixityWatch(this IServiceCollection services, IConfiguration configuration)
    {
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<FixityOptions>))) services.AddBusOptions<FixityOptions>(configuration);
        return services.AddSagaWatch(sp => Create(sp.GetRequiredService<IOptions<FixityOptions>>().Value));
    }
}
