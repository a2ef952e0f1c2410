using System.Security.Cryptography;
using Bus.Restore.Data;
using Bus.Workflows.Copies;
using Bus.Restore.StateMachines;
using Bus.Restore.StateMachines.Messages;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Restore.Steps;

/// <summary>
/// Fixes what a restore writes: the object's (or the file's) active files with their registry sha256 and their
/// active copies from <c>registry.storage_records</c>, each copy HEADed to learn whether it is readable now (hot,
/// or cold and restored). A file with no readable copy gets a RestoreObject request for its cold copies and the
/// restore waits (the saga polls on the scheduler); once every file has one, the plan is written (hot copies
/// first, then restored cold ones, then cold ones the writer may still fall back to) with the PREMIS events tag
/// file, and never changes after the upload began.
/// </summary>
public sealed class PrepareRestoreConsumer(RestorePlans plans, RestoreRegistry registry, CopyTemperature temperature, PremisEventsFile premisEvents,
    IOptions<RestoreOptions> options, ILogger<PrepareRestoreConsumer> logger) : IConsumer<PrepareRestore>
{
    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData([]));

    public async Task Consume(ConsumeContext<PrepareRestore> context)
    {
        var ct = context.CancellationToken;
        var id = context.Message.RestoreId;
        var request = await plans.FindRequestAsync(id, ct);
        if (request is null || request.State is not ("Preparing" or "Faulted"))
        {
            logger.LogWarning("PrepareRestore {RestoreId} ignored: the restore is {State}", id, request?.State ?? "unknown");
            return;
        }
        if (await plans.CheckpointAsync(id, ct) is not null)
        {
            // The upload began: the plan is fixed (a replay of this step must not lay out another tar).
            var fixedPlan = await plans.PlanAsync(id, ct);
            await context.Publish(new RestorePrepared(id, true, fixedPlan.Count(f => f.FileId is not null), fixedPlan.Sum(f => f.Size), 0, "plan fixed"));
            return;
        }
        var obj = await registry.FindObjectAsync(request.ObjectIdentifier, ct);
        if (obj is null)
        {
            await FailAsync(context, $"no active object '{request.ObjectIdentifier}' is registered");
            return;
        }
        var isFile = request.Kind == RestoreKinds.OfFile;
        var files = await registry.FilesAsync(obj, isFile ? request.Identifier : null, ct);
        if (files.Count == 0)
        {
            await FailAsync(context, isFile ? $"no active file '{request.Identifier}' is registered" : $"'{obj.Identifier}' has no active files");
            return;
        }
        foreach (var f in files)
        {
            var problem = f.Sha256 is null ? "has no ingest sha256 to verify against"
                : f.Copies.Count == 0 ? "has no active copy"
                : f.Size == 0 && f.Sha256 != EmptySha256 ? "is empty but its registered sha256 is not that of no bytes"
                : null;
            if (problem is null) continue;
            await FailAsync(context, $"'{f.Identifier}' {problem}");
            return;
        }

        var readiness = await HeadAllAsync(files, ct);
        var o = options.Value;
        var waiting = 0;
        foreach (var f in files)
        {
            var states = f.Copies.Select(c => readiness[c.StorageRecordId]).ToList();
            if (states.Any(s => s is CopyReadiness.Hot or CopyReadiness.ColdRestored)) continue;
            if (states.All(s => s == CopyReadiness.Missing))
            {
                await FailAsync(context, $"every copy of '{f.Identifier}' is missing");
                return;
            }
            waiting++;
            if (states.Contains(CopyReadiness.ColdRestoring)) continue;
            var cold = f.Copies.First(c => readiness[c.StorageRecordId] == CopyReadiness.Cold);
            await temperature.RequestRestoreAsync(cold.Bucket, cold.Key, o.Tier, o.Days, ct);
            logger.LogInformation("Restore {RestoreId}: asked S3 to restore cold copy {Bucket}/{Key} of '{File}' ({Tier}, {Days} days)", id, cold.Bucket, cold.Key, f.Identifier, o.Tier, o.Days);
        }
        if (waiting > 0)
        {
            await context.Publish(new RestorePrepared(id, false, files.Count, files.Sum(f => f.Size), waiting, $"{waiting} file(s) wait for a cold copy to be restored"));
            return;
        }

        var plan = new List<PlannedFile>();
        foreach (var f in Order(files, isFile))
        {
            // Readable copies first; cold ones behind them are what the writer falls back to (asking for their restore
            // and waiting) when every readable copy turns out damaged.
            var candidates = f.Copies
                .Where(c => readiness[c.StorageRecordId] != CopyReadiness.Missing)
                .OrderBy(c => readiness[c.StorageRecordId] switch { CopyReadiness.Hot => 0, CopyReadiness.ColdRestored => 1, CopyReadiness.ColdRestoring => 2, _ => 3 })
                .ThenBy(c => c.StorageRecordId)
                .Select(c => new PlannedCopy(c.StorageRecordId, c.Bucket, c.Key, readiness[c.StorageRecordId] != CopyReadiness.Hot))
                .ToList();
            plan.Add(new PlannedFile(plan.Count, f.Path, f.Size, f.Sha256!, f.FileId, candidates));
        }
        if (!isFile)
        {
            var premis = await premisEvents.StageAsync(id, obj, o.Bucket, ct);
            logger.LogInformation("Restore {RestoreId}: {Events} PREMIS event(s), {Bytes} bytes, staged at {Bucket}/{Key}", id, premis.Events, premis.Size, premis.Bucket, premis.Key);
            plan.Add(new PlannedFile(plan.Count, RestoreKeys.PremisEventsFile, premis.Size, premis.Sha256, null, [new PlannedCopy(0, premis.Bucket, premis.Key, false)]));
        }
        await plans.ReplacePlanAsync(id, plan, ct);
        logger.LogInformation("Restore {RestoreId}: {Files} file(s), {Bytes} bytes planned from {Identifier}", id, files.Count, files.Sum(f => f.Size), request.Identifier);
        await context.Publish(new RestorePrepared(id, true, files.Count, files.Sum(f => f.Size), 0, "every file has a readable copy"));
    }

    /// <summary>bagit.txt first (readers that stream a bag expect it), the payload, the other tag files; a PREMIS file of an earlier restore is replaced.</summary>
    private static IEnumerable<RegisteredFile> Order(IReadOnlyList<RegisteredFile> files, bool isFile) => isFile
        ? files
        : files.Where(f => f.Path != RestoreKeys.PremisEventsFile)
            .OrderBy(f => f.Path == "bagit.txt" ? 0 : f.Path.StartsWith("data/", StringComparison.Ordinal) ? 1 : 2)
            .ThenBy(f => f.Path, StringComparer.Ordinal);

    private async Task<Dictionary<long, CopyReadiness>> HeadAllAsync(IReadOnlyList<RegisteredFile> files, CancellationToken ct)
    {
        var result = new System.Collections.Concurrent.ConcurrentDictionary<long, CopyReadiness>();
        await Parallel.ForEachAsync(files.SelectMany(f => f.Copies), new ParallelOptions { MaxDegreeOfParallelism = options.Value.HeadConcurrency, CancellationToken = ct },
            async (copy, c) => result[copy.StorageRecordId] = await temperature.ReadinessAsync(copy.Bucket, copy.Key, c));
        return new Dictionary<long, CopyReadiness>(result);
    }

    private async Task FailAsync(ConsumeContext<PrepareRestore> context, string reason)
    {
        logger.LogWarning("Restore {RestoreId} cannot be done: {Reason}", context.Message.RestoreId, reason);
        await context.Publish(new RestoreStepFailed(context.Message.RestoreId, reason));
    }
}
