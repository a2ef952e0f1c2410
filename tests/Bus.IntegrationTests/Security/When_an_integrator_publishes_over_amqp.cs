using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.S3.Transfer;
using Bus.Contracts.Ingest;
using Bus.IntegrationTests.Ingest;
using Bus.Platform.Options;

namespace Bus.IntegrationTests.Security;

/// <summary>
/// The broker user busctl institutions add makes for an institution's integrators: it can publish
/// SubmitIngest and nothing else, read no queue, and its submits count only for its own institution.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_an_integrator_publishes_over_amqp
{
    private const string SubmitUrn = "urn:message:Bus.Contracts.Ingest:SubmitIngest";
    private const string SubmitExchange = "Bus.Contracts.Ingest:SubmitIngest";

    [Fact]
    public async Task It_may_only_submit_for_its_own_institution_and_read_nothing()
    {
        await using var stack = await IngestStack.StartAsync();
        var own = $"i{Guid.NewGuid():N}"[..13] + ".test.edu";
        var added = await stack.BusctlOkAsync("institutions", "add", own, "--name", "Integrating institution", "--json");
        var json = JsonDocument.Parse(added.Stdout).RootElement;
        var user = json.GetProperty("brokerUser").GetString()!;
        Assert.Equal("integrator." + own, user);
        try
        {
            await using var integrator = new ForgedMessages(stack.VirtualHost.Name, user, json.GetProperty("brokerPassword").GetString()!);

            // Broker-enforced: no other exchange (nor the default one, straight into a queue), no reads.
            Assert.Equal((ushort)403, await integrator.PublishAsync("", "ingest-cleanup", "urn:message:Bus.Contracts.Ingest:CleanUpIngest",
                new { ingestId = Guid.NewGuid(), receivingBucket = "bus-receiving", receivingKey = "x", deleteReceivingObject = true }));
            Assert.Equal((ushort)403, await integrator.PublishAsync("Bus.Contracts.Deletion:DeleteItem", "", "urn:message:Bus.Contracts.Deletion:DeleteItem",
                new { requestId = Guid.NewGuid(), identifier = $"{stack.Institution}/bag" }));
            Assert.Equal((ushort)403, await integrator.GetAsync("ingest-cleanup"));
            Assert.Equal((ushort)403, await integrator.GetAsync("ingest-state"));

            // Saga-enforced: a submit for another institution, or outside its own prefix, is rejected; its own is accepted.
            var tar = stack.WriteTar(new TestBag("integrated").WithFiles(2));
            var key = $"{own}/{Path.GetFileName(tar)}";
            using (var transfer = new TransferUtility(stack.S3))
                await transfer.UploadAsync(tar, stack.Storage.ReceivingBucket, key);
            var etag = (await stack.S3.GetObjectMetadataAsync(stack.Storage.ReceivingBucket, key)).ETag;
            var forOther = Submit(stack.Institution, $"{stack.Institution}/{Path.GetFileName(tar)}", etag);
            var outsidePrefix = Submit(own, $"{stack.Institution}/elsewhere.tar", etag);
            var valid = Submit(own, key, etag);
            foreach (var s in new[] { forOther, outsidePrefix, valid })
                Assert.Null(await integrator.PublishAsync(SubmitExchange, "", SubmitUrn, s));

            await stack.WaitForStateAsync(forOther.IngestId, "Rejected");
            await stack.WaitForStateAsync(outsidePrefix.IngestId, "Rejected");
            Assert.Contains($"broker user '{user}' may submit only for institution '{own}'", await LastErrorAsync(stack, forOther.IngestId), StringComparison.Ordinal);
            Assert.Contains("is not under the institution's receiving prefix", await LastErrorAsync(stack, outsidePrefix.IngestId), StringComparison.Ordinal);
            await stack.WaitForStateAsync(valid.IngestId, "Completed");
            Assert.Equal(user, (await stack.QueryAsync("SELECT submitted_by FROM bus.ingest_saga WHERE correlation_id = @id",
                r => r.GetString(0), ("id", valid.IngestId))).Single());
            foreach (var refused in new[] { forOther.IngestId, outsidePrefix.IngestId })
                Assert.Empty(await stack.QueryAsync("SELECT ingest_id FROM bus.ingest_bags WHERE ingest_id = @id", r => r.GetGuid(0), ("id", refused)));
        }
        finally
        {
            await DeleteBrokerUserAsync(user);
        }
    }

    private static SubmitIngest Submit(string institution, string key, string etag) =>
        new(institution, new StorageOptions().ReceivingBucket, key, etag, 1, null, "whoever@anywhere.example", DateTimeOffset.UtcNow);

    private static async Task<string> LastErrorAsync(IngestStack stack, Guid id) =>
        (await stack.QueryAsync("SELECT last_error FROM bus.ingest_saga WHERE correlation_id = @id", r => r.GetString(0), ("id", id))).Single();

    private static async Task DeleteBrokerUserAsync(string user)
    {
        var o = new RabbitMqOptions();
        using var http = new HttpClient { BaseAddress = o.ManagementUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.Username}:{o.Password}")));
        await http.DeleteAsync($"api/users/{Uri.EscapeDataString(user)}");
    }
}
