using Bus.Contracts.Ingest;
using Bus.Ingest;
using Bus.Ingest.StateMachines;
using Bus.Workflows.Coordination;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

/// <summary>
/// The ingest saga alone on MassTransit's in-memory harness. Tests play the step consumers by
/// publishing their events; <see cref="FailingStep{T}"/> plays a step whose command faults.
/// </summary>
public sealed class IngestSagaHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private IngestSagaHarness(ServiceProvider provider, ITestHarness harness)
    {
        _provider = provider;
        Harness = harness;
        Locks = provider.GetRequiredService<IItemLocks>();
        Saga = harness.GetSagaStateMachineHarness<IngestStateMachine, IngestState>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<IngestStateMachine, IngestState> Saga { get; }
    public IngestStateMachine Machine => Saga.StateMachine;
    /// <summary>The item locks the saga takes (deletion's side is played by taking them here).</summary>
    public IItemLocks Locks { get; }

    /// <summary>The object identifier of the bag <see cref="DriveAsync"/> plays.</summary>
    public const string ObjectIdentifier = "test.edu/bag1";

    public static async Task<IngestSagaHarness> StartAsync(Action<IBusRegistrationConfigurator>? configure = null, Action<IngestOptions>? options = null)
    {
        var ingestOptions = new IngestOptions();
        options?.Invoke(ingestOptions);
        var provider = new ServiceCollection()
            .AddSingleton(Options.Create(ingestOptions))
            .AddSingleton<IngestQueues>()
            .AddSingleton<IItemLocks, InMemoryItemLocks>()
            .AddSingleton<ISubmitterDirectory>(new FakeSubmitters())
            .AddMassTransitTestHarness(x =>
            {
                // The saga schedules its item-lock retries; in memory, MassTransit's delayed scheduler stands in for PostgreSQL's.
                x.AddDelayedMessageScheduler();
                x.AddSagaStateMachine<IngestStateMachine, IngestState>();
                configure?.Invoke(x);
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>().Patient();
        await harness.Start();
        return new IngestSagaHarness(provider, harness);
    }

    public static SubmitIngest Submission(string key = "test.edu/bag1.tar", string etag = "\"abc123\"") =>
        new("test.edu", "bus-receiving", key, etag, 1024, null, "depositor@test.edu", DateTimeOffset.UtcNow);

    public async Task<Guid> SubmitAsync(SubmitIngest? submit = null)
    {
        submit ??= Submission();
        await Harness.Bus.Publish(submit);
        await InStateAsync(submit.IngestId, Machine.Received);
        return submit.IngestId;
    }

    public async Task<IngestState> InStateAsync(Guid id, State state)
    {
        var found = await Saga.Exists(id, _ => state);
        Assert.True(found.HasValue, $"saga {id} did not reach {state.Name}; it is {Saga.Sagas.Contains(id)?.CurrentState ?? "absent"}");
        return Saga.Sagas.Contains(id)!;
    }

    /// <summary>
    /// Plays every step up to the state the saga enters after <paramref name="steps"/> events.
    /// With <paramref name="waitForLast"/> false the last state is not awaited (a failing step leaves it at once).
    /// </summary>
    public async Task<Guid> DriveAsync(int steps, bool waitForLast = true)
    {
        var submit = Submission();
        await Harness.Bus.Publish(submit);
        var id = submit.IngestId;
        if (steps > 0 || waitForLast) await InStateAsync(id, Machine.Received);
        var now = DateTimeOffset.UtcNow;
        object[] events =
        [
            new BagUnpacked(id, "bag1", 3, 300, now),
            new BagValidated(id, "test.edu/bag1", "Standard", false, 3, now),
            new FormatsIdentified(id, 2, 1, now),
            new FilesStored(id, 6, now),
            new CopiesVerified(id, 6, 0, now),
            new IngestRecorded(id, "test.edu/bag1", 20, now),
            new IngestCleanedUp(id, 4, now),
        ];
        State[] states = [Machine.Validating, Machine.Identifying, Machine.Storing, Machine.Verifying, Machine.Recording, Machine.CleaningUp, Machine.Completed];
        for (var i = 0; i < steps; i++)
        {
            await Harness.Bus.Publish(events[i]);
            if (i < steps - 1 || waitForLast) await InStateAsync(id, states[i]);
        }
        return id;
    }

    /// <summary>
    /// Asserts that <paramref name="expected"/> commands of type T were sent for the ingest, waiting (bounded) for them to be:
    /// a saga's sends may be recorded just after its new state shows. 0 is asserted at once (call it after a state wait).
    /// </summary>
    public Task SentAsync<T>(Guid id, int expected) where T : class =>
        HarnessWaits.CountIsAsync(expected, () => Harness.Sent.Select<T>(m => IdOf(m.Context.Message) == id, HarnessWaits.Recorded).Count(), $"{typeof(T).Name} sent for {id}");

    private static Guid IdOf(object message) => (Guid)message.GetType().GetProperty("IngestId")!.GetValue(message)!;

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}

/// <summary>The registry users the saga's submission check knows: depositor@test.edu and depositor@other.edu.</summary>
public sealed class FakeSubmitters : ISubmitterDirectory
{
    public Task<string?> InstitutionOfAsync(string email, CancellationToken cancellationToken) =>
        Task.FromResult(email switch { "depositor@test.edu" => "test.edu", "depositor@other.edu" => "other.edu", _ => (string?)null });
}

/// <summary>A step consumer whose command always throws: its Fault&lt;T&gt; parks the saga.</summary>
public sealed class FailingStep<T> : IConsumer<T> where T : class
{
    public Task Consume(ConsumeContext<T> context) => throw new InvalidOperationException("S3 is down (test)");
}
