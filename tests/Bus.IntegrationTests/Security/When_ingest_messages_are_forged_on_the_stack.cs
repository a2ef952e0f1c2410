using System.Text.Json;
using Amazon.S3.Model;
using Bus.Contracts.Ingest;
using Bus.IntegrationTests.Ingest;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Security;

[Collection(IngestStack.Collection)]
public sealed class When_ingest_messages_are_forged_on_the_stack
{
    // The type's own name: internal messages live next to their workflow and may move.
    private static readonly string CleanUpUrn = $"urn:message:{typeof(Bus.Ingest.StateMachines.Messages.CleanUpIngest).Namespace}:CleanUpIngest";

    [Fact]
    public async Task A_forged_cleanup_deletes_nothing_and_a_submit_for_another_institution_is_rejected_storing_nothing()
    {
        await using var stack = await IngestStack.StartAsync();
        // Someone else's upload waiting in the receiving bucket, and a staged object under a made-up ingest id.
        var victimKey = $"{stack.Institution}/waiting-{Guid.NewGuid():N}.tar";
        await stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = stack.Storage.ReceivingBucket, Key = victimKey, ContentBody = "tar" });
        var madeUp = Guid.NewGuid();

        await using (var forger = ForgedMessages.AsHost(stack.VirtualHost.Name))
            Assert.Null(await forger.PublishAsync("", "ingest-cleanup", CleanUpUrn,
                new { ingestId = madeUp, receivingBucket = stack.Storage.ReceivingBucket, receivingKey = victimKey, deleteReceivingObject = true }));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!stack.Host!.Process.Stdout.Contains($"CleanUp of {madeUp} ignored", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Contains($"CleanUp of {madeUp} ignored", stack.Host.Process.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, await stack.CountObjectsAsync(stack.Storage.ReceivingBucket, victimKey));

        // A submit published with host credentials (as the API does) naming a registry user of another institution as the
        // submitter: refused before anything is read or stored. busctl cannot say this: the API takes the submitter from the token.
        var other = $"o{Guid.NewGuid():N}"[..13] + ".test.edu";
        await ApiIdentities.UserWithTokenAsync(other, $"depositor@{other}", "depositor");
        var forgedKey = $"{stack.Institution}/forged-bag-{Guid.NewGuid():N}.tar";
        var tar = stack.WriteTar(new TestBag("forged-bag").WithFiles(2));
        var put = await stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = stack.Storage.ReceivingBucket, Key = forgedKey, FilePath = tar });
        var submit = new SubmitIngest(stack.Institution, stack.Storage.ReceivingBucket, forgedKey, put.ETag, new FileInfo(tar).Length, null,
            $"depositor@{other}", DateTimeOffset.UtcNow);
        await using (var forger = ForgedMessages.AsHost(stack.VirtualHost.Name))
            Assert.Null(await forger.PublishAsync("Bus.Contracts.Ingest:SubmitIngest", "", "urn:message:Bus.Contracts.Ingest:SubmitIngest", submit));
        await stack.WaitForStateAsync(submit.IngestId, "Rejected");
        var p = await stack.BusctlAsync("ingest", "status", submit.IngestId.ToString(), "--json");
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {p.Stderr}{p.Stdout}");
        var result = JsonDocument.Parse(p.Stdout).RootElement;
        var rejection = result.GetProperty("rejections")[0];
        Assert.Equal(IngestRejectionCodes.SubmissionRefused, rejection.GetProperty("code").GetString());
        Assert.Contains($"belongs to institution '{other}'", rejection.GetProperty("message").GetString(), StringComparison.Ordinal);
        var id = result.GetProperty("ingestId").GetGuid();
        Assert.Empty(await stack.QueryAsync("SELECT ingest_id FROM bus.ingest_bags WHERE ingest_id = @id", r => r.GetGuid(0), ("id", id)));
        Assert.Equal(0, await stack.CountObjectsAsync(stack.Storage.StagingBucket, id.ToString()));
    }
}
