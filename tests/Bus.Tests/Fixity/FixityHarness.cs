using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Fixity.Checks;
using Bus.Fixity.Copies;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Tests.Fixity;

/// <summary>
/// The fixity saga and its real step consumers on MassTransit's in-memory harness, over an in-memory
/// object store and registry: what the steps read, overwrite and record is visible to the test.
/// </summary>
public sealed class FixityHarness : IAsyncDisposable
{
    public const string Primary = "bus-preservation-primary";
    public const string Replica = "bus-preservation-replica";
    public static readonly byte[] Content = "the original bytes of a preserved file"u8.ToArray();

    private readonly ServiceProvider _provider;
    public FakeStorage Storage { get; } = new();
    public FakeRegistry Registry { get; } = new();
    public FakeLedger Ledger { get; } = new();
    public ITestHarness Harness { get; }

    public FixityHarness()
    {
        _provider = new ServiceCollection()
            .AddSingleton<IFixityRegistry>(Registry)
            .AddSingleton<ICopyStorage>(Storage)
            .AddSingleton<ICheckLedger>(Ledger)
            .AddSingleton(TimeProvider.System)
            .AddSingleton(Options.Create(new FixityOptions { RedeliveryIntervals = [], RetryLimit = 0, ReadBufferKiB = 4 }))
            .AddSingleton<CopyDigester>()
            .AddMassTransitTestHarness(x => x.AddFixityCheck())
            .BuildServiceProvider(true);
        Harness = _provider.GetRequiredService<ITestHarness>();
    }

    public Task StartAsync() => Harness.Start();

    /// <summary>Registers a file with a primary (id 1) and a replica (id 2) copy holding <paramref name="primary"/> and <paramref name="replica"/> (null: no object).</summary>
    public (RegisteredCopy Primary, RegisteredCopy Replica) AddFile(byte[]? primary, byte[]? replica)
    {
        var fileId = Guid.NewGuid();
        var digests = new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(Content)) };
        var p = new RegisteredCopy(1, fileId, 7, "test.edu/bag/data/file.txt", Primary, fileId.ToString(), digests);
        var r = new RegisteredCopy(2, fileId, 7, "test.edu/bag/data/file.txt", Replica, fileId.ToString(), digests);
        Registry.Copies.Add(p);
        Registry.Copies.Add(r);
        if (primary is not null) Storage.Objects[(Primary, p.Key)] = primary;
        if (replica is not null) Storage.Objects[(Replica, r.Key)] = replica;
        return (p, r);
    }

    public async Task<FixityCheckCompleted> CheckAsync(long storageRecordId)
    {
        var checkId = Guid.NewGuid();
        await Harness.Bus.Publish(new CheckFixity(checkId, storageRecordId, "test", DateTimeOffset.UtcNow));
        return await Ledger.WaitAsync(checkId, Harness.TestTimeout);
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}

public sealed class FakeStorage : ICopyStorage
{
    public ConcurrentDictionary<(string Bucket, string Key), byte[]> Objects { get; } = new();
    public ConcurrentQueue<string> Copies { get; } = new();
    /// <summary>When set, every read waits for it: lets a test hold a check in flight.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<Stream?> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        if (Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
        return Objects.TryGetValue((bucket, key), out var bytes) ? new MemoryStream(bytes, writable: false) : null;
    }

    public Task CopyAsync(string sourceBucket, string sourceKey, string targetBucket, string targetKey, CancellationToken cancellationToken)
    {
        Objects[(targetBucket, targetKey)] = Objects[(sourceBucket, sourceKey)].ToArray();
        Copies.Enqueue($"{sourceBucket}->{targetBucket}");
        return Task.CompletedTask;
    }
}

public sealed class FakeRegistry : IFixityRegistry
{
    public List<RegisteredCopy> Copies { get; } = [];
    public ConcurrentQueue<CheckRecord> Checks { get; } = new();
    public ConcurrentQueue<RepairRecord> Repairs { get; } = new();
    public ConcurrentQueue<LostRecord> Lost { get; } = new();

    public Task<RegisteredCopy?> FindCopyAsync(long storageRecordId, CancellationToken cancellationToken) =>
        Task.FromResult(Copies.FirstOrDefault(c => c.StorageRecordId == storageRecordId));

    public Task<IReadOnlyList<RegisteredCopy>> OtherCopiesAsync(long storageRecordId, CancellationToken cancellationToken)
    {
        var copy = Copies.Single(c => c.StorageRecordId == storageRecordId);
        return Task.FromResult<IReadOnlyList<RegisteredCopy>>(Copies.Where(c => c.FileId == copy.FileId && c.StorageRecordId != storageRecordId).ToList());
    }

    public Task RecordCheckAsync(CheckRecord check, CancellationToken cancellationToken) { Checks.Enqueue(check); return Task.CompletedTask; }
    public Task RecordRepairAsync(RepairRecord repair, CancellationToken cancellationToken) { Repairs.Enqueue(repair); return Task.CompletedTask; }
    public Task RecordLostAsync(LostRecord lost, CancellationToken cancellationToken) { Lost.Enqueue(lost); return Task.CompletedTask; }
}

public sealed class FakeLedger : ICheckLedger
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<FixityCheckCompleted>> _waiting = new();

    public Task CompleteAsync(FixityCheckCompleted completed, CancellationToken cancellationToken)
    {
        Completion(completed.CheckId).TrySetResult(completed);
        return Task.CompletedTask;
    }

    public Task<FixityCheckCompleted> WaitAsync(Guid checkId, TimeSpan timeout) => Completion(checkId).Task.WaitAsync(timeout);

    private TaskCompletionSource<FixityCheckCompleted> Completion(Guid checkId) =>
        _waiting.GetOrAdd(checkId, _ => new TaskCompletionSource<FixityCheckCompleted>(TaskCreationOptions.RunContinuationsAsynchronously));
}
