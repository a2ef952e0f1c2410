namespace Bus.IntegrationTests.Persistence.Support;

// Test-only contracts. Always sent to a test's own queue, never published, so runs never see each other's.
public sealed record SagaStarted(Guid SagaId, Guid? Batch = null);
/// <summary>Correlated by query: closes every instance started in <see cref="Batch"/>.</summary>
public sealed record SagaBatchClosed(Guid Batch);
public sealed record SagaIncremented(Guid SagaId);
public sealed record SagaTimeoutArmed(Guid SagaId);
public sealed record SagaTimedOut(Guid SagaId);
/// <summary>Asks <see cref="TouchConsumer"/> to record an effect and send <see cref="Touched"/> to <see cref="ReplyTo"/>.</summary>
public sealed record Touch(Guid Key, Uri ReplyTo);
public sealed record Touched(Guid Key);
/// <summary>Fails <see cref="FailuresBeforeSuccess"/> times with a transient error before it is recorded.</summary>
public sealed record Flaky(Guid Key, int FailuresBeforeSuccess);
public sealed record Fired(Guid Key);
