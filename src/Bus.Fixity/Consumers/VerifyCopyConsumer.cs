using Bus.Contracts.Fixity;
using Bus.Fixity.Copies;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Bus.Fixity.Consumers;

/// <summary>
/// Reads the copy once, computes the configured digests and compares them with the ingest digests;
/// records the PREMIS fixity check (success or failure, both digests in the detail) and the copy's
/// last check. A redelivery does the same work and records nothing twice (the event id comes from the check).
/// </summary>
public sealed class VerifyCopyConsumer(IFixityRegistry registry, CopyDigester digester, TimeProvider clock, ILogger<VerifyCopyConsumer> logger)
    : IConsumer<VerifyCopy>
{
    public async Task Consume(ConsumeContext<VerifyCopy> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var copy = await registry.FindCopyAsync(m.StorageRecordId, ct) ?? throw new CopyNotRegisteredException(m.StorageRecordId);
        logger.LogInformation("Fixity check {CheckId}: reading {Bucket}/{Key}", m.CheckId, copy.Bucket, copy.Key);
        var digest = await digester.DigestAsync(copy.Bucket, copy.Key, ct);
        var condition = DigestComparison.Condition(copy.IngestDigests, digest);
        await registry.RecordCheckAsync(new CheckRecord(
            FixityIds.ForRecord(m.CheckId, "check", copy.StorageRecordId), copy, condition == CopyConditions.Intact,
            $"fixity check of {copy.Bucket}/{copy.Key}: {DigestComparison.Describe(copy.IngestDigests, digest)}",
            condition, clock.GetUtcNow()), ct);
        logger.LogInformation("Fixity check {CheckId}: {Bucket}/{Key} is {Condition}", m.CheckId, copy.Bucket, copy.Key, condition);
        await context.Publish(new CopyVerified(m.CheckId, m.StorageRecordId, copy.FileIdentifier, copy.Bucket, copy.Key, condition,
            copy.IngestDigests, digest?.Digests ?? new Dictionary<string, string>()));
    }
}
