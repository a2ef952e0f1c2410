using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Fixity.Steps;
using Bus.Fixity.Data;
using Bus.Tests.Workflows;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Bus.Platform.Messaging;
using Bus.Workflows.Coordination;
using Bus.Workflows.Steps;

namespace Bus.Tests.Fixity;

/// <summary>
/// The fixity saga and its real step consumers on MassTransit's in-memory harness, over an in-memory
/// object store and registry: what the steps read, overwrite and record is visible to the test.
/// </summary>
public sealed class FixityHarness : IAsyncDisposable
{
    // Two hot copies (read in full by a check); AddColdCopy adds a cold one (checked by its S3 checksum).
    public const string Primary = "bus-preservation-va";
    public const string Replica = "bus-wasabi-va";
    public const string Cold = "bus-preservation-or";
    public static readonly byte[] Content = "the original bytes of a preserved file"u8.ToArray();

    private readonly ServiceProvider _provider;
    public FakeStorage Storage { get; } = new();
    public FakeRegistry Registry { get; } = new();
    public FakeLedger Ledger { get; } = new();
    public FakeSlices Slices { get; } = new();
    public FakeColdReads ColdReads { get; } = new();
    public InMemoryItemLocks Locks { get; } = new();
    /// <summary>Set to act as the host's SIGTERM; clear to act as the next host.</summary>
    public bool Stopping { get; set; }
    public ITestHarness Harness { get; }

    public FixityHarness(Action<FixityOptions>? configure = null)
    {
        var options = new FixityOptions
        {
            RedeliveryIntervals = [], RetryLimit = 0, ReadBufferKiB = 4,
            ColdPollInterval = TimeSpan.FromMilliseconds(50), ColdPollMaxInterval = TimeSpan.FromMilliseconds(100),
        };
        configure?.Invoke(options);
        _provider = new ServiceCollection()
            .AddSingleton<IFixityRegistry>(Registry)
            .AddSingleton<ICopyStorage>(Storage)
            .AddSingleton<ICheckLedger>(Ledger)
            .AddSingleton<ICopyReadSlices>(Slices)
            .AddSingleton<IColdReads>(ColdReads)
            .AddSingleton(new ShutdownSignal(() => Stopping))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(Options.Create(options))
            .AddSingleton<CopyReader>()
            .AddSingleton<SlicedCopyReader>()
            .AddSingleton<IItemLocks>(Locks)
            .AddSingleton<IEndpointOutbox>(HarnessOutbox.None)
            .AddMassTransitTestHarness(x =>
            {
                // The saga polls cold copies being restored through the scheduler.
                x.AddDelayedMessageScheduler();
                x.AddFixityWorkflow(saga => saga.InMemoryRepository());
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        Harness = _provider.GetRequiredService<ITestHarness>().Patient();
    }

    public Task StartAsync() => Harness.Start();

    /// <summary>Registers a file with a primary (id 1) and a replica (id 2) copy holding <paramref name="primary"/> and <paramref name="replica"/> (null: no object).</summary>
    public (RegisteredCopy Primary, RegisteredCopy Replica) AddFile(byte[]? primary, byte[]? replica, byte[]? original = null)
    {
        var fileId = Guid.NewGuid();
        var digests = new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(original ?? Content)) };
        var p = new RegisteredCopy(1, fileId, 7, "test.edu/bag/data/file.txt", Primary, fileId.ToString(), digests, "test.edu/bag");
        var r = new RegisteredCopy(2, fileId, 7, "test.edu/bag/data/file.txt", Replica, fileId.ToString(), digests, "test.edu/bag");
        Registry.Copies.Add(p);
        Registry.Copies.Add(r);
        if (primary is not null) Storage.Objects[(Primary, p.Key)] = primary;
        if (replica is not null) Storage.Objects[(Replica, r.Key)] = replica;
        return (p, r);
    }

    /// <summary>Registers a third, cold copy (id 3, GLACIER) of <paramref name="like"/>'s file holding <paramref name="content"/> (null: no object).</summary>
    public RegisteredCopy AddColdCopy(RegisteredCopy like, byte[]? content)
    {
        var c = like with { StorageRecordId = 3, Bucket = Cold, StorageClass = "GLACIER", Tier = "cold" };
        Registry.Copies.Add(c);
        if (content is not null)
        {
            Storage.Objects[(Cold, c.Key)] = content;
            Storage.Classes[(Cold, c.Key)] = "GLACIER";
        }
        return c;
    }

    public async Task<FixityCheckCompleted> CheckAsync(long storageRecordId, Guid? id = null)
    {
        var checkId = id ?? Guid.NewGuid();
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
    /// <summary>Offsets reads began at, per key: shows where each slice resumed.</summary>
    public ConcurrentQueue<(string Key, long Offset)> Reads { get; } = new();
    /// <summary>Delay per block read, so a test's tiny time slice ends mid-copy.</summary>
    public TimeSpan ReadDelay { get; set; }
    /// <summary>Called after each block read (bucket, key, bytes read so far in this read): lets a test act mid-read.</summary>
    public Action<string, string, long>? AfterBlock { get; set; }

    public static string ETagOf(byte[] bytes) => $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"";

    public async Task<CopyRead?> OpenReadAsync(string bucket, string key, long offset, CopyVersion? version, CancellationToken cancellationToken)
    {
        if (Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
        if (!Objects.TryGetValue((bucket, key), out var bytes)) return null;
        // As S3 (and moto): a cold object's GET is refused until it is restored.
        if (IsColdUnrestored(bucket, key)) throw new InvalidOperationException($"InvalidObjectState: {bucket}/{key} is not restored");
        var current = new CopyVersion(ETagOf(bytes), bytes.Length);
        if (version is not null && version != current) throw new CopyChangedException($"{bucket}/{key} is now {current.ETag}, was {version.ETag}");
        Reads.Enqueue((key, offset));
        return new CopyRead(new SlowStream(bytes, offset, this, bucket, key), current);
    }

    /// <summary>Serves bytes from an offset, waiting <see cref="ReadDelay"/> per read.</summary>
    private sealed class SlowStream(byte[] bytes, long offset, FakeStorage storage, string bucket, string key) : MemoryStream(bytes, (int)offset, bytes.Length - (int)offset, writable: false)
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (storage.ReadDelay > TimeSpan.Zero) await Task.Delay(storage.ReadDelay, cancellationToken);
            var n = await base.ReadAsync(buffer, cancellationToken);
            _read += n;
            if (n > 0) storage.AfterBlock?.Invoke(bucket, key, _read);
            return n;
        }
    }

    /// <summary>Objects stored without an S3 checksum (overwritten by a plain PUT, say): HEAD reports none.</summary>
    public ConcurrentDictionary<(string Bucket, string Key), bool> WithoutChecksum { get; } = new();
    /// <summary>Storage classes objects were written with (absent: STANDARD).</summary>
    public ConcurrentDictionary<(string Bucket, string Key), string> Classes { get; } = new();
    /// <summary>HEAD requests, per key: a cold copy is checked by these, never read.</summary>
    public ConcurrentQueue<string> Heads { get; } = new();

    public Task CopyAsync(string sourceBucket, string sourceKey, string targetBucket, string targetKey, CopyWriteOptions write, CancellationToken cancellationToken)
    {
        if (IsColdUnrestored(sourceBucket, sourceKey)) throw new InvalidOperationException($"ObjectNotInActiveTierError: {sourceBucket}/{sourceKey} is not restored");
        Restored.TryRemove((targetBucket, targetKey), out _);
        Objects[(targetBucket, targetKey)] = Objects[(sourceBucket, sourceKey)].ToArray();
        if (write.StorageClass is { } storageClass) Classes[(targetBucket, targetKey)] = storageClass;
        if (write.Sha256Checksum) WithoutChecksum.TryRemove((targetBucket, targetKey), out _);
        Copies.Enqueue($"{sourceBucket}->{targetBucket}");
        return Task.CompletedTask;
    }

    /// <summary>Cold objects S3 has restored (readable); RestoreObject requests, per key.</summary>
    public ConcurrentDictionary<(string Bucket, string Key), bool> Restored { get; } = new();
    public ConcurrentQueue<string> RestoreRequests { get; } = new();
    /// <summary>Polls a restore stays in progress after its request (0: restored by the first poll, as moto does).</summary>
    public int RestorePolls { get; set; }
    private readonly ConcurrentDictionary<(string Bucket, string Key), int> _restoring = new();

    private bool IsColdUnrestored(string bucket, string key) =>
        Classes.GetValueOrDefault((bucket, key)) is "GLACIER" or "DEEP_ARCHIVE" && !Restored.ContainsKey((bucket, key));

    public Task<CopyReadiness> ReadinessAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        if (!Objects.ContainsKey((bucket, key))) return Task.FromResult(CopyReadiness.Missing);
        if (Classes.GetValueOrDefault((bucket, key)) is not ("GLACIER" or "DEEP_ARCHIVE")) return Task.FromResult(CopyReadiness.Hot);
        if (Restored.ContainsKey((bucket, key))) return Task.FromResult(CopyReadiness.ColdRestored);
        if (!_restoring.TryGetValue((bucket, key), out var left)) return Task.FromResult(CopyReadiness.Cold);
        if (left > 0) { _restoring[(bucket, key)] = left - 1; return Task.FromResult(CopyReadiness.ColdRestoring); }
        _restoring.TryRemove((bucket, key), out _);
        Restored[(bucket, key)] = true;
        return Task.FromResult(CopyReadiness.ColdRestored);
    }

    public Task RequestRestoreAsync(string bucket, string key, string tier, int days, CancellationToken cancellationToken)
    {
        RestoreRequests.Enqueue(key);
        _restoring.TryAdd((bucket, key), RestorePolls);
        return Task.CompletedTask;
    }

    public Task<CopyAttributes?> HeadAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        Heads.Enqueue(key);
        if (!Objects.TryGetValue((bucket, key), out var bytes)) return Task.FromResult<CopyAttributes?>(null);
        var checksum = WithoutChecksum.ContainsKey((bucket, key)) ? null : Convert.ToBase64String(SHA256.HashData(bytes));
        return Task.FromResult<CopyAttributes?>(new CopyAttributes(bytes.Length, ETagOf(bytes), checksum, Classes.GetValueOrDefault((bucket, key))));
    }
}

public sealed class FakeColdReads : IColdReads
{
    public ConcurrentDictionary<long, DateTimeOffset> Reads { get; } = new();

    public Task<DateTimeOffset?> LastReadAsync(long storageRecordId, CancellationToken cancellationToken) =>
        Task.FromResult(Reads.TryGetValue(storageRecordId, out var at) ? at : (DateTimeOffset?)null);

    public Task RecordAsync(long storageRecordId, Guid checkId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Reads[storageRecordId] = at;
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

public sealed class FakeSlices : ICopyReadSlices
{
    private readonly object _lock = new();
    public List<CopyReadSlice> Rows { get; } = [];
    /// <summary>Called before a slice is added: lets a test play another delivery that records the same slice first.</summary>
    public Action<CopyReadSlice>? BeforeAdd { get; set; }

    public Task<CopyReadSlice?> LatestAsync(Guid readId, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(Rows.Where(r => r.ReadId == readId).MaxBy(r => r.Slice));
    }

    public Task<bool> TryAddAsync(CopyReadSlice slice, CancellationToken cancellationToken)
    {
        BeforeAdd?.Invoke(slice);
        lock (_lock)
        {
            if (Rows.Any(r => r.ReadId == slice.ReadId && r.Slice == slice.Slice)) return Task.FromResult(false);
            Rows.Add(slice);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<CopyReadSlice>> ListAsync(Guid readId, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<CopyReadSlice>>(Rows.Where(r => r.ReadId == readId).OrderBy(r => r.Slice).ToList());
    }

    public Task ForgetAsync(Guid readId, CancellationToken cancellationToken)
    {
        lock (_lock) Rows.RemoveAll(r => r.ReadId == readId);
        return Task.CompletedTask;
    }

    public Task<int> ForgetWorkflowAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(Rows.RemoveAll(r => r.WorkflowId == workflowId));
    }

    /// <summary>Every slice of every check, in order (a harness test runs one check at a time).</summary>
    public IReadOnlyList<CopyReadSlice> All()
    {
        lock (_lock) return Rows.OrderBy(r => r.Slice).ToList();
    }
}
