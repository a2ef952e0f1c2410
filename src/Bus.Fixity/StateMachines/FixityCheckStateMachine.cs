using Bus.Persistence.Sagas;
using Bus.Contracts.Fixity;
using MassTransit;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Fixity.StateMachines;

/// <summary>
/// A check of one copy: Verifying (stream, digest, compare, record) then, when damaged or missing,
/// Repairing (from a copy that verifies now). Intact, Repaired and Lost end the instance; a step that
/// faults after its retries and redeliveries leaves it Faulted, where replaying the step's message from
/// the error queue, or a new check request, carries on.
/// </summary>
public sealed class FixityCheckStateMachine : MassTransitStateMachine<FixityCheckState>
{
    public static readonly Uri VerifyAddress = new($"queue:{FixityEndpoints.VerifyCopy}");
    public static readonly Uri RepairAddress = new($"queue:{FixityEndpoints.RepairCopy}");

    public FixityCheckStateMachine()
    {
        InstanceState(x => x.CurrentState);
        // A late or repeated event is acknowledged and logged, not faulted into the saga's _error queue.
        OnUnhandledEvent(StaleEvents.Ignore);

        Event(() => CheckRequested, e => e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)));
        Event(() => Verified, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Repaired, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Lost, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Deferred, e => { e.CorrelateById(m => FixityIds.ForCopy(m.Message.StorageRecordId)); e.OnMissingInstance(m => m.Discard()); });
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

        // A copy already being checked is not checked twice at once: the request is absorbed.
        During(Verifying, Repairing, Ignore(CheckRequested));

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

    public Event<CheckFixity> CheckRequested { get; private set; } = null!;
    public Event<CopyVerified> Verified { get; private set; } = null!;
    public Event<CopyRepaired> Repaired { get; private set; } = null!;
    public Event<CopyLost> Lost { get; private set; } = null!;
    public Event<CopyRepairDeferred> Deferred { get; private set; } = null!;
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
    }

    private static FixityCheckCompleted Completed(FixityCheckState s, string outcome, string detail) =>
        new(s.CheckId, s.StorageRecordId, s.FileIdentifier ?? "", s.Bucket ?? "", outcome, detail, DateTimeOffset.UtcNow);

    private static string Describe<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : "unknown error";
}
