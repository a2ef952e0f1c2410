using Bus.Contracts.Restore;
using Bus.Persistence.Sagas;
using Bus.Registry;
using Bus.Restore.Steps;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Restore.SpotTests;

/// <summary>
/// A restore spot test: pick a random active object of the institution under the size limit (seeded by the spot
/// test's id, so a redelivered request picks the same one), restore it to <c>spot-tests/&lt;institution&gt;/</c>
/// (a restore whose id is the spot test's), validate the restored bag and compare it with the registry
/// (spot-test-validate), then delete the restored copy and on failure raise the <c>spot-test-failed</c> alert
/// (spot-test-finish). The saga row is the record: outcome, reason, started and finished times. A restore that has not
/// ended within <see cref="SpotTestOptions.SpotTestTimeout"/> fails the spot test (there is no cancelling a restore: if it
/// writes its tar later, the finish step is sent again to delete it).
/// </summary>
public sealed class SpotTestStateMachine : MassTransitStateMachine<SpotTestState>
{
    public static readonly Uri RestoreAddress = new($"queue:{RestoreEndpoints.Saga}");
    public static readonly Uri ValidateAddress = new($"queue:{SpotTestEndpoints.Validate}");
    public static readonly Uri FinishAddress = new($"queue:{SpotTestEndpoints.Finish}");

    public SpotTestStateMachine(IOptions<SpotTestOptions> options)
    {
        var maxBytes = options.Value.SpotTestMaxBytes;
        var timeout = options.Value.SpotTestTimeout;
        InstanceState(x => x.CurrentState);
        OnUnhandledEvent(StaleEvents.Ignore);

        Event(() => Requested, e => e.CorrelateById(m => m.Message.SpotTestId));
        // Every restore's outcome reaches this endpoint; only a spot test's own restore (same id) finds a row.
        Event(() => Restored, e => { e.CorrelateById(m => m.Message.RestoreId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RestoreFailed, e => { e.CorrelateById(m => m.Message.RestoreId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Validated, e => { e.CorrelateById(m => m.Message.SpotTestId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => CleanedUp, e => { e.CorrelateById(m => m.Message.SpotTestId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => ValidateFaulted, e => { e.CorrelateById(m => m.Message.Message.SpotTestId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => FinishFaulted, e => { e.CorrelateById(m => m.Message.Message.SpotTestId); e.OnMissingInstance(m => m.Discard()); });
        Schedule(() => RestoreTimeout, x => x.TimeoutTokenId, s =>
        {
            s.Delay = timeout;
            s.Received = r => { r.CorrelateById(m => m.Message.SpotTestId); r.OnMissingInstance(m => m.Discard()); };
        });

        Initially(
            When(Requested)
                .Then(c => Start(c.Saga, c.Message))
                .ThenAsync(c => c.Saga.Reason is null ? Pick(c, maxBytes) : Task.CompletedTask)
                .IfElse(c => c.Saga.ObjectIdentifier is not null,
                    picked => picked
                        .Send(RestoreAddress, c => new RestoreObject(c.Saga.CorrelationId, c.Saga.ObjectIdentifier!, $"spot-test:{c.Saga.RequestedBy}",
                            c.Saga.StartedAt, c.Saga.RestoreKey))
                        .Schedule(RestoreTimeout, c => new SpotTestRestoreTimedOut(c.Saga.CorrelationId))
                        .TransitionTo(Restoring),
                    none => none.Then(c => End(c.Saga, SpotTestOutcomes.Skipped)).TransitionTo(Skipped).Publish(Finished)));

        During(Restoring,
            When(Restored)
                .Unschedule(RestoreTimeout)
                .Then(c => { c.Saga.RestoreBucket = c.Message.Bucket; c.Saga.RestoreKey = c.Message.Key; })
                .Send(ValidateAddress, c => new ValidateSpotTest(c.Saga.CorrelationId))
                .TransitionTo(Validating),
            When(RestoreFailed)
                .Unschedule(RestoreTimeout)
                .Then(c =>
                {
                    c.Saga.Outcome = SpotTestOutcomes.Failed;
                    c.Saga.Reason = $"the restore failed: {c.Message.Reason}";
                    // A failed restore leaves nothing in the restore bucket; the finish step deletes nothing that is not there.
                    c.Saga.RestoreBucket = null;
                })
                .Send(FinishAddress, c => new FinishSpotTest(c.Saga.CorrelationId))
                .TransitionTo(Finishing),
            When(RestoreTimeout.Received)
                .Then(c =>
                {
                    c.Saga.TimeoutTokenId = null;
                    c.Saga.Outcome = SpotTestOutcomes.Failed;
                    c.Saga.Reason = $"the restore did not end within {timeout} (restore {c.Saga.CorrelationId} is still {RunningRestore})";
                    c.Saga.RestoreBucket = null;
                })
                .Send(FinishAddress, c => new FinishSpotTest(c.Saga.CorrelationId))
                .TransitionTo(Finishing));

        // The restore of a timed-out spot test wrote its tar after all: the finish step is sent again to delete it. Only a
        // spot test that has no restored copy on record takes this (after a validation, the copy is the one recorded).
        During(Finishing, Failed,
            When(Restored, c => c.Saga.RestoreBucket is null && c.Saga.Outcome == SpotTestOutcomes.Failed)
                .Then(c => { c.Saga.RestoreBucket = c.Message.Bucket; c.Saga.RestoreKey = c.Message.Key; })
                .Send(FinishAddress, c => new FinishSpotTest(c.Saga.CorrelationId)));

        During(Validating, Faulted,
            When(Validated)
                .Then(c =>
                {
                    c.Saga.Outcome = c.Message.Passed ? SpotTestOutcomes.Passed : SpotTestOutcomes.Failed;
                    c.Saga.Reason = c.Message.Passed ? null : c.Message.Reason ?? "the restored bag did not pass";
                })
                .Send(FinishAddress, c => new FinishSpotTest(c.Saga.CorrelationId))
                .TransitionTo(Finishing));

        During(Finishing, Faulted,
            When(CleanedUp)
                .Then(c => End(c.Saga, c.Saga.Outcome ?? SpotTestOutcomes.Failed))
                .IfElse(c => c.Saga.Outcome == SpotTestOutcomes.Passed,
                    passed => passed.TransitionTo(Passed),
                    failed => failed.TransitionTo(Failed))
                .Publish(Finished));

        During(Validating,
            When(ValidateFaulted).Then(c => c.Saga.Reason = "validate step faulted: " + Describe(c.Message)).TransitionTo(Faulted));
        During(Finishing,
            When(FinishFaulted).Then(c => c.Saga.Reason = (c.Saga.Reason is null ? "" : c.Saga.Reason + "; ") + "finish step faulted: " + Describe(c.Message)).TransitionTo(Faulted));

        // The same request again (a second sweep, a redelivery): the spot test it names goes on or has ended.
        During([Restoring, Validating, Finishing, Faulted, Passed, Failed, Skipped], Ignore(Requested));
        During(Passed, Skipped, Ignore(Restored));
        During(Passed, Failed, Skipped, Ignore(RestoreFailed), Ignore(Validated), Ignore(CleanedUp), Ignore(RestoreTimeout.Received));
    }

    /// <summary>Every state a spot test can be in, read from this class.</summary>
    public static IReadOnlyList<string> StateNames { get; } = SagaStates.Declared<SpotTestStateMachine>();

    public State Restoring { get; private set; } = null!;
    public State Validating { get; private set; } = null!;
    public State Finishing { get; private set; } = null!;
    public State Passed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Skipped { get; private set; } = null!;
    /// <summary>A step faulted after its retries: replaying its message from the error queue carries on.</summary>
    public State Faulted { get; private set; } = null!;

    public Event<RunSpotTest> Requested { get; private set; } = null!;
    public Event<RestoreCompleted> Restored { get; private set; } = null!;
    public Event<RestoreFailed> RestoreFailed { get; private set; } = null!;
    public Event<SpotTestValidated> Validated { get; private set; } = null!;
    public Event<SpotTestCleanedUp> CleanedUp { get; private set; } = null!;
    public Event<Fault<ValidateSpotTest>> ValidateFaulted { get; private set; } = null!;
    public Event<Fault<FinishSpotTest>> FinishFaulted { get; private set; } = null!;
    public Schedule<SpotTestState, SpotTestRestoreTimedOut> RestoreTimeout { get; private set; } = null!;

    private const string RunningRestore = "running: a tar it writes later is deleted";

    /// <summary>Records the request; an institution that is not one is skipped with the reason (nothing restored).</summary>
    private static void Start(SpotTestState saga, RunSpotTest message)
    {
        saga.Institution = (message.Institution ?? "").Trim().ToLowerInvariant();
        saga.RequestedBy = string.IsNullOrWhiteSpace(message.RequestedBy) ? "unknown" : message.RequestedBy.Trim();
        saga.StartedAt = message.RequestedAt == default ? DateTimeOffset.UtcNow : message.RequestedAt;
        if (saga.CorrelationId == Guid.Empty) saga.Reason = "the spot test id must not be empty";
        else if (Identifiers.InstitutionError(saga.Institution) is { } error) saga.Reason = error;
    }

    private static async Task Pick(BehaviorContext<SpotTestState> context, long maxBytes)
    {
        var saga = context.Saga;
        var picked = await context.GetServiceOrCreateInstance<ISpotTestRegistry>().PickAsync(saga.Institution, saga.CorrelationId, maxBytes, context.CancellationToken);
        if (picked is null)
        {
            saga.Reason = $"'{saga.Institution}' has no active object of at most {maxBytes} bytes and {SpotTestRegistry.MaxFiles} files among the {SpotTestRegistry.SampledObjects} sampled";
            return;
        }
        saga.ObjectIdentifier = picked.Identifier;
        saga.ObjectBytes = picked.Bytes;
        saga.RestoreKey = SpotTestKeys.For(saga.Institution, picked.BagName, saga.CorrelationId);
    }

    private static void End(SpotTestState saga, string outcome)
    {
        saga.Outcome = outcome;
        saga.FinishedAt = DateTimeOffset.UtcNow;
    }

    private static SpotTestFinished Finished(BehaviorContext<SpotTestState> c) =>
        new(c.Saga.CorrelationId, c.Saga.Institution, c.Saga.ObjectIdentifier, c.Saga.Outcome!, c.Saga.Reason, c.Saga.FinishedAt!.Value);

    private static string Describe<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : "unknown error";
}
