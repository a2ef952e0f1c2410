using System.Collections.Concurrent;
using Bus.Contracts.Deletion;
using Bus.Deletion;
using Bus.Deletion.StateMachines;
using Bus.Deletion.Data;
using Bus.Workflows.Coordination;
using Bus.Tests.Workflows;
using Bus.Workflows.Steps;
using Bus.Workflows.Copies;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Tests.Deletion;

/// <summary>
/// The deletion saga and step on MassTransit's in-memory harness, with an in-memory registry,
/// storage and item locks: institution test.edu with requester, admin and depositor, and other.edu
/// with its own admin; object test.edu/bag with two files, each stored in two buckets.
/// </summary>
public sealed class DeletionHarness : IAsyncDisposable
{
    public const string Institution = "test.edu";
    public const string Requester = "requester@test.edu";
    public const string Admin = "admin@test.edu";
    public const string SecondAdmin = "admin2@test.edu";
    public const string Depositor = "depositor@test.edu";
    public const string OtherAdmin = "admin@other.edu";
    public const string Bag = "test.edu/bag";

    private readonly ServiceProvider _provider;

    private DeletionHarness(ServiceProvider provider, FakeRegistry registry, FakeStorage storage, IItemLocks locks)
    {
        _provider = provider;
        Registry = registry;
        Storage = storage;
        Locks = locks;
        Harness = provider.GetRequiredService<ITestHarness>();
        Sagas = Harness.GetSagaStateMachineHarness<DeletionStateMachine, DeletionState>();
        Machine = provider.GetRequiredService<DeletionStateMachine>();
    }

    public FakeRegistry Registry { get; }
    public FakeStorage Storage { get; }
    public IItemLocks Locks { get; }
    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<DeletionStateMachine, DeletionState> Sagas { get; }
    public DeletionStateMachine Machine { get; }

    public static async Task<DeletionHarness> StartAsync(Action<DeletionOptions>? configure = null)
    {
        var registry = new FakeRegistry();
        registry.Users[Requester] = new(Requester, Institution, "depositor");
        registry.Users[Admin] = new(Admin, Institution, DeletionVocabulary.InstitutionalAdminRole);
        registry.Users[SecondAdmin] = new(SecondAdmin, Institution, DeletionVocabulary.InstitutionalAdminRole);
        registry.Users[Depositor] = new(Depositor, Institution, "depositor");
        registry.Users[OtherAdmin] = new(OtherAdmin, "other.edu", DeletionVocabulary.InstitutionalAdminRole);
        registry.AddObject(Bag, Institution, "Standard", DateTimeOffset.UtcNow.AddDays(-1), "data/a.txt", "data/b.txt");

        var storage = new FakeStorage();
        var locks = new InMemoryItemLocks();
        var options = new DeletionOptions { StepRetryLimit = 1 };
        configure?.Invoke(options);

        var services = new ServiceCollection();
        services.AddSingleton<IDeletionRegistry>(registry);
        services.AddSingleton<ICopyRemover>(storage);
        services.AddSingleton<IItemLocks>(locks);
        services.AddSingleton<IApprovedDeletions>(sp => new SagaApprovals(sp));
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<RequestChecks>();
        services.AddScoped<DecisionChecks>();
        services.AddSingleton<IEndpointOutbox>(HarnessOutbox.InMemory);
        services.AddMassTransitTestHarness(x =>
        {
            x.AddDelayedMessageScheduler();
            x.AddDeletionWorkflow(r => r.InMemoryRepository());
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(context);
            });
        });
        var provider = services.BuildServiceProvider(true);
        var harness = new DeletionHarness(provider, registry, storage, locks);
        harness.Harness.Patient();
        await harness.Harness.Start();
        return harness;
    }

    /// <summary>Sends a request or decision and returns the answer: accepted (with state) or refused (with code).</summary>
    public async Task<Answer> AskAsync<T>(T message) where T : class
    {
        var client = Harness.GetRequestClient<T>();
        var response = await client.GetResponse<DeletionAccepted, DeletionRefused>(message);
        return response.Is(out Response<DeletionAccepted>? accepted)
            ? new Answer(true, accepted.Message.State, null, null)
            : response.Is(out Response<DeletionRefused>? refused)
                ? new Answer(false, null, refused.Message.Code, refused.Message.Reason)
                : throw new InvalidOperationException("unexpected response");
    }

    public Task<Answer> RequestAsync(Guid id, string identifier = Bag, string by = Requester, string reason = "donor withdrew consent") =>
        AskAsync(new RequestDeletion { RequestId = id, Identifier = identifier, RequestedBy = by, Reason = reason });

    public Task<Answer> ApproveAsync(Guid id, string by) => AskAsync(new ApproveDeletion { RequestId = id, By = by });

    /// <summary>Waits (up to the harness timeout) for the saga to reach <paramref name="state"/>; returns the instance.</summary>
    public async Task<DeletionState> WaitForAsync(Guid id, Func<DeletionStateMachine, State> state)
    {
        var found = await Sagas.Exists(id, state, Harness.TestTimeout);
        Assert.True(found.HasValue, $"deletion {id} did not reach {state(Machine).Name}; it is {Sagas.Sagas.Contains(id)?.CurrentState}");
        return Sagas.Sagas.Contains(id)!;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

public sealed record Answer(bool Accepted, string? State, string? Code, string? Reason);

public sealed class FakeRegistry : IDeletionRegistry
{
    public ConcurrentDictionary<string, DeletionUser> Users { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ConcurrentDictionary<string, DeletionTarget> Targets { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<Tombstone> Tombstones { get; } = new();

    /// <summary>Registers an object and its files, each with a copy in "primary" and "replica".</summary>
    public void AddObject(string identifier, string institution, string storageOption, DateTimeOffset storedAt, params string[] paths)
    {
        var copies = paths.SelectMany(p => new[] { "primary", "replica" }.Select(b =>
            new StoredCopy($"{identifier}/{p}", b, $"{identifier}/{p}", storageOption, storedAt))).ToList();
        Targets[identifier] = new DeletionTarget(identifier, identifier, institution, false, DeletionVocabulary.ActiveState, copies);
        foreach (var p in paths)
            Targets[$"{identifier}/{p}"] = new DeletionTarget($"{identifier}/{p}", identifier, institution, true, DeletionVocabulary.ActiveState,
                copies.Where(c => c.FileIdentifier == $"{identifier}/{p}").ToList());
    }

    public Task<DeletionTarget?> FindTargetAsync(string identifier, CancellationToken cancellationToken) =>
        Task.FromResult(Targets.TryGetValue(identifier, out var t) ? t : null);

    public Task<DeletionUser?> FindUserAsync(string email, CancellationToken cancellationToken) =>
        Task.FromResult(Users.TryGetValue(email.Trim(), out var u) ? u : null);

    public Task TombstoneAsync(Tombstone deletion, CancellationToken cancellationToken)
    {
        Tombstones.Enqueue(deletion);
        var t = Targets[deletion.Identifier];
        Targets[deletion.Identifier] = t with { State = DeletionVocabulary.DeletedState, Copies = [] };
        return Task.CompletedTask;
    }
}

/// <summary>The deletion step's view of bus.deletion_requests, read from the harness's in-memory saga repository.</summary>
public sealed class SagaApprovals(IServiceProvider provider) : IApprovedDeletions
{
    public Task<DeletionRecord?> FindAsync(Guid requestId, CancellationToken cancellationToken)
    {
        // The repository itself: the harness's saga list waits for the bus to go idle, which it never does inside a consumer.
        var saga = provider.GetRequiredService<MassTransit.Saga.IndexedSagaDictionary<DeletionState>>()[requestId]?.Instance;
        return Task.FromResult(saga is null ? null
            : new DeletionRecord(requestId, saga.CurrentState, saga.Identifier, saga.RequestedBy, saga.DecidedBy, saga.Reason));
    }

    public Task<DeletionRecord?> FindOpenAsync(string objectIdentifier, Guid except, CancellationToken cancellationToken)
    {
        var open = provider.GetRequiredService<MassTransit.Saga.IndexedSagaDictionary<DeletionState>>()
            .Where(new Query(s => s.ObjectIdentifier == objectIdentifier && s.CorrelationId != except && DeletionRecord.OpenStates.Contains(s.CurrentState)))
            .Select(s => s.Instance).FirstOrDefault();
        return Task.FromResult(open is null ? null
            : new DeletionRecord(open.CorrelationId, open.CurrentState, open.Identifier, open.RequestedBy, open.DecidedBy, open.Reason));
    }
}

file sealed class Query(System.Linq.Expressions.Expression<Func<DeletionState, bool>> filter) : ISagaQuery<DeletionState>
{
    public System.Linq.Expressions.Expression<Func<DeletionState, bool>> FilterExpression { get; } = filter;
    public Func<DeletionState, bool> GetFilter() => FilterExpression.Compile();
}

public sealed class FakeStorage : ICopyRemover
{
    public ConcurrentQueue<CopyObjectRef> Removed { get; } = new();
    /// <summary>Removing a copy from this bucket throws (a permission problem, say) until cleared.</summary>
    public string? FailingBucket { get; set; }

    public Task RemoveAsync(string bucket, string key, CancellationToken cancellationToken) => RemoveManyAsync(bucket, [key], cancellationToken);

    public Task RemoveManyAsync(string bucket, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        if (bucket == FailingBucket) throw new InvalidOperationException($"Access Denied deleting {keys.Count} key(s) in {bucket}");
        foreach (var key in keys) Removed.Enqueue(new CopyObjectRef(bucket, key));
        return Task.CompletedTask;
    }
}
