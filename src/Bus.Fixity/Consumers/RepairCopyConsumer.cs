using Bus.Contracts.Fixity;
using Bus.Fixity.Copies;
using MassTransit;

namespace Bus.Fixity.Consumers;

/// <summary>
/// Repairs a damaged or missing copy: reads the file's other copies until one verifies now (each read
/// recorded as a fixity check of that copy), copies it server-side over the damaged one, verifies the
/// result, and records the replication, the passing re-check and a "repaired" alert. When no copy
/// verifies, raises a "lost" alert and overwrites nothing.
/// </summary>
public sealed class RepairCopyConsumer(IFixityRegistry registry, CopyDigester digester, ICopyStorage storage, TimeProvider clock)
    : IConsumer<RepairCopy>
{
    public async Task Consume(ConsumeContext<RepairCopy> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var target = await registry.FindCopyAsync(m.StorageRecordId, ct) ?? throw new CopyNotRegisteredException(m.StorageRecordId);

        var candidates = new List<CandidateCopy>();
        foreach (var other in await registry.OtherCopiesAsync(m.StorageRecordId, ct))
        {
            var digest = await digester.DigestAsync(other.Bucket, other.Key, ct);
            var condition = DigestComparison.Condition(other.IngestDigests, digest);
            await registry.RecordCheckAsync(new CheckRecord(
                FixityIds.ForRecord(m.CheckId, "source-check", other.StorageRecordId), other, condition == CopyConditions.Intact,
                $"fixity check of {other.Bucket}/{other.Key} as repair source for {target.Bucket}/{target.Key}: {DigestComparison.Describe(other.IngestDigests, digest)}",
                condition, clock.GetUtcNow()), ct);
            candidates.Add(new CandidateCopy(other, condition));
            if (condition == CopyConditions.Intact) break;
        }

        var decision = RepairPlanner.Decide(target, candidates);
        if (decision.Source is not { } source)
        {
            await registry.RecordLostAsync(new LostRecord(FixityIds.ForRecord(m.CheckId, "lost", target.StorageRecordId), target,
                $"{target.FileIdentifier}: copy {target.Bucket}/{target.Key} is {m.Condition} and cannot be repaired: {decision.LostReason}. Nothing was overwritten.",
                clock.GetUtcNow()), ct);
            await context.Publish(new CopyLost(m.CheckId, m.StorageRecordId, decision.LostReason!));
            return;
        }

        await storage.CopyAsync(source.Bucket, source.Key, target.Bucket, target.Key, ct);
        var repaired = await digester.DigestAsync(target.Bucket, target.Key, ct);
        if (DigestComparison.Condition(target.IngestDigests, repaired) != CopyConditions.Intact)
            throw new RepairNotVerifiedException($"{target.Bucket}/{target.Key} does not verify after copying from {source.Bucket}/{source.Key}: {DigestComparison.Describe(target.IngestDigests, repaired)}");

        var at = clock.GetUtcNow();
        await registry.RecordRepairAsync(new RepairRecord(
            FixityIds.ForRecord(m.CheckId, "replication", target.StorageRecordId),
            FixityIds.ForRecord(m.CheckId, "recheck", target.StorageRecordId),
            FixityIds.ForRecord(m.CheckId, "repaired", target.StorageRecordId),
            target, source,
            $"repaired {m.Condition} copy {target.Bucket}/{target.Key} by server-side copy from {source.Bucket}/{source.Key}",
            $"fixity check of repaired copy {target.Bucket}/{target.Key}: {DigestComparison.Describe(target.IngestDigests, repaired)}",
            $"{target.FileIdentifier}: copy {target.Bucket}/{target.Key} was {m.Condition}; repaired from {source.Bucket}/{source.Key} and verified",
            at), ct);
        await context.Publish(new CopyRepaired(m.CheckId, m.StorageRecordId, source.Bucket, repaired!.Digests["sha256"]));
    }
}
