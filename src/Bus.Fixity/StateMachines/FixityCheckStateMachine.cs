using Bus.Persistence.Sagas;
using Bus.Contracts.Fixity;
using MassTransit;
using Bus.Fixity.StateMachines.Messages;
using Microsoft.Extensions.Options;

namespace Bus.Fixity.StateMachines;

/// <summary>
/// A check of one copy: Verifying (stream, digest, compare, record) then, when damaged or missing,
/// Repairing (from a copy that verifies now). A step that must read a cold copy S3 is still restoring (a periodic
/// read under <see cref="FixityOptions.ColdInterval"/>, a repair from a cold copy) waits in WaitingForColdRead or
/// WaitingForRepairSource: the saga polls on the PostgreSQL scheduler with backoff by sending the step its message again. Intact, Repaired and Lost end the instance; a step that
/// faults after its retries and redeliveries leaves it Faulted, where replaying the step's message from
/// the error queue, or a new check request, carries on.
/// </summary>
public sealed class FixityCheckStateMachine : MassTransitStateMachine<FixityCheckState>
{
    public static readonly Uri VerifyAddress = new($"queue:{FixityEndpoints.VerifyCopy}");
    public static readonly Uri RepairAddress = new($"queue:{FixityEndpoints.RepairCopy}");

    public FixityCheckStateMachine(IOptions<FixityOptions> options)
    {
        var o = options.Value;
        InstanceState(x => x.CurrentState);
        // A late or repeated event is acknowledged and logged, not faulted into the saga's _error queue.
        OnUnhandledEvent(StaleEvents.Ignore);

        Event(() => CheckRequested, e => e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)));
        Event(() => Verified, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Repaired, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Lost, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Deferred, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Restoring, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Schedule(() => ColdPoll, x => x.RetryTokenId, s =>
        {
            s.Delay = o.ColdPollInterval;
            s.Received = r => { r.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); r.OnMissingInstance(m => m.Discard()); };
        });
        Event(() => VerifyFaulted, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RepairFaulted, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });

        Initially(
            When(CheckRequested)
                .Then(Start)
                .Send(VerifyAddress, c => new VerifyCopy(c.Saga.CheckId, c.Saga.StorageRecordId))
                .TransitionTo(Verifying));

        During(Verifying, Faulted,
            When(Verified, c => c.Message.CheckId == c.Saga.CheckId)
                .Then(c =>
                {
                    c.Saga.FileIdentifier = c.Message.FileIdentifier;
                    c.Saga.Bucket = c.Message.Bucket;
                    c.Saga.Condition = c.Message.Condition;
                    c.Saga.FailureReason = null;
                })
                .IfElse(c => c.Message.Condition == CopyConditions.Intact,
                    intact => intact
                        .Publish(c => Completed(c.Saga, FixityOutcomes.Intact, "every digest matches the ingest digest"))
                        .Finalize(),
                    damaged => damaged
                        .Send(RepairAddress, c => new RepairCopy(c.Saga.CheckId, c.Saga.StorageRecordId, c.Message.Condition))
                        .TransitionTo(Repairing)));

        During(Repairing, Faulted,
            When(Repaired, c => c.Message.CheckId == c.Saga.CheckId)
                .Then(c => { c.Saga.RepairSource = c.Message.SourceBucket; c.Saga.FailureReason = null; })
                .Publish(c => Completed(c.Saga, FixityOutcomes.Repaired, $"copy was {c.Saga.Condition}; repaired from {c.Message.SourceBucket} and verified"))
                .Finalize(),
            When(Lost, c => c.Message.CheckId == c.Saga.CheckId)
                .Then(c => c.Saga.FailureReason = c.Message.Reason)
                .Publish(c => Completed(c.Saga, FixityOutcomes.Lost, $"copy was {c.Saga.Condition}; {c.Message.Reason}"))
                .Finalize(),
            When(Deferred, c => c.Message.CheckId == c.Saga.CheckId)
                .Then(c => c.Saga.FailureReason = c.Message.Reason)
                .Publish(c => Completed(c.Saga, FixityOutcomes.Deferred, c.Message.Reason))
                .Finalize());

        During(Verifying,
            When(VerifyFaulted, c => c.Message.Message.CheckId == c.Saga.CheckId)
                .Then(c => c.Saga.FailureReason = "verify step faulted: " + Describe(c.Message))
                .Publish(c => Completed(c.Saga, FixityOutcomes.Failed, c.Saga.FailureReason!))
                .TransitionTo(Faulted));

        During(Repairing,
            When(RepairFaulted, c => c.Message.Message.CheckId == c.Saga.CheckId)
                .Then(c => c.Saga.FailureReason = "repair step faulted: " + Describe(c.Message))
                .Publish(c => Completed(c.Saga, FixityOutcomes.Failed, c.Saga.FailureReason!))
                .TransitionTo(Faulted));

        During(Verifying,
            When(Restoring, c => c.Message.CheckId == c.Saga.CheckId)
                .Then(c => c.Saga.ColdPolls++)
                .IfElse(c => c.Saga.ColdPolls > o.MaxColdPolls,
                    give => give.Then(c => c.Saga.FailureReason = GiveUp(c.Message, o))
                        .Publish(c => Completed(c.Saga, FixityOutcomes.Failed, c.Saga.FailureReason!)).Finalize(),
                    wait => wait.Schedule(ColdPoll, c => new ColdRestorePoll(c.Saga.CheckId, c.Saga.StorageRecordId), c => o.ColdPollDelay(c.Saga.ColdPolls))
                        .TransitionTo(WaitingForColdRead)));
        During(Repairing,
            When(Restoring, c => c.Message.CheckId == c.Saga.CheckId)
                .Then(c => c.Saga.ColdPolls++)
                .IfElse(c => c.Saga.ColdPolls > o.MaxColdPolls,
                    give => give.Then(c => c.Saga.FailureReason = GiveUp(c.Message, o))
                        .Publish(c => Completed(c.Saga, FixityOutcomes.Failed, $"copy was {c.Saga.Condition}; {c.Saga.FailureReason}")).Finalize(),
                    wait => wait.Schedule(ColdPoll, c => new ColdRestorePoll(c.Saga.CheckId, c.Saga.StorageRecordId), c => o.ColdPollDelay(c.Saga.ColdPolls))
                        .TransitionTo(WaitingForRepairSource)));
        During(WaitingForColdRead,
            When(ColdPoll.Received, c => c.Message.CheckId == c.Saga.CheckId)
                .Then(c => c.Saga.RetryTokenId = null)
                .Send(VerifyAddress, c => new VerifyCopy(c.Saga.CheckId, c.Saga.StorageRecordId))
                .TransitionTo(Verifying));
        During(WaitingForRepairSource,
            When(ColdPoll.Received, c => c.Message.CheckId == c.Saga.CheckId)
                .Then(c => c.Saga.RetryTokenId = null)
                .Send(RepairAddress, c => new RepairCopy(c.Saga.CheckId, c.Saga.StorageRecordId, c.Saga.Condition!))
                .TransitionTo(Repairing));

        // A copy already being checked is not checked twice at once: the request is absorbed.
        During(Verifying, Repairing, WaitingForColdRead, WaitingForRepairSource, Ignore(CheckRequested));

        // After a fault, a new request starts over with its own check id.
        During(Faulted,
            When(CheckRequested)
                .Then(Start)
                .Send(VerifyAddress, c => new VerifyCopy(c.Saga.CheckId, c.Saga.StorageRecordId))
                .TransitionTo(Verifying));

        SetCompletedWhenFinalized();
    }

    public State Verifying { get; private set; } = null!;
    public State Repairing { get; private set; } = null!;
    public State Faulted { get; private set; } = null!;
    /// <summary>The verify step waits for S3 to restore the cold copy it must read in full.</summary>
    public State WaitingForColdRead { get; private set; } = null!;
    /// <summary>The repair step waits for S3 to restore the cold copy it will repair from.</summary>
    public State WaitingForRepairSource { get; private set; } = null!;

    public Event<CheckFixity> CheckRequested { get; private set; } = null!;
    public Event<CopyVerified> Verified { get; private set; } = null!;
    public Event<CopyRepaired> Repaired { get; private set; } = null!;
    public Event<CopyLost> Lost { get; private set; } = null!;
    public Event<CopyRepairDeferred> Deferred { get; private set; } = null!;
    public Event<ColdCopyRestoring> Restoring { get; private set; } = null!;
    public Schedule<FixityCheckState, ColdRestorePoll> ColdPoll { get; private set; } = null!;
    public Event<Fault<VerifyCopy>> VerifyFaulted { get; private set; } = null!;
    public Event<Fault<RepairCopy>> RepairFaulted { get; private set; } = null!;

    private static void Start(BehaviorContext<FixityCheckState, CheckFixity> c)
    {
        c.Saga.CheckId = c.Message.CheckId;
        c.Saga.StorageRecordId = c.Message.StorageRecordId;
        c.Saga.RequestedBy = c.Message.RequestedBy;
        c.Saga.RequestedAt = c.Message.RequestedAt;
        c.Saga.Condition = null;
        c.Saga.RepairSource = null;
        c.Saga.FailureReason = null;
        c.Saga.ColdPolls = 0;
        c.Saga.RetryTokenId = null;
    }

    private static string GiveUp(ColdCopyRestoring waiting, FixityOptions o) =>
        $"the cold copy was still not readable after {o.MaxColdPolls} polls ({o.ColdRestoreWait}): {waiting.Detail}";

    private static FixityCheckCompleted Completed(FixityCheckState s, string outcome, string detail) =>
        new(s.CheckId, s.StorageRecordId, s.FileIdentifier ?? "", s.Bucket ?? "", outcome, detail, DateTimeOffset.UtcNow);

    private static string Describe<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : "unknown error";
}
