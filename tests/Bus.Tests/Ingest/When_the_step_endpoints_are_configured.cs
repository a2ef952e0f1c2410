using System.Text.Json;
using System.Text.Json.Nodes;
using Bus.Ingest;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Tests.Ingest;

public sealed class When_the_step_endpoints_are_configured
{
    [Fact]
    public async Task Should_give_every_step_queue_redelivery_then_retry_then_the_outbox_and_inbox()
    {
        var options = Options.Create(new IngestOptions());
        await using var provider = new ServiceCollection()
            .AddSingleton(options)
            .AddMassTransitTestHarness(x => x.AddIngestSteps())
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var probe = JsonNode.Parse(JsonSerializer.Serialize(harness.Bus.GetProbeResult()))!;
        var endpoints = Find(probe, "receiveEndpoint")!.AsArray();
        var queues = new IngestQueues(options);
        foreach (var queue in new[] { queues.Unpack, queues.Validate, queues.Identify, queues.Store, queues.Verify, queues.Record, queues.CleanUp, queues.Compensate })
        {
            var endpoint = endpoints.SingleOrDefault(e => (string?)e!["name"] == queue);
            Assert.True(endpoint is not null, $"no endpoint {queue}");
            // The message's filters, outermost first.
            var filters = Descendants(endpoint!).OfType<JsonObject>().Where(n => n["filterType"] is JsonValue).Select(Describe).ToList();
            var redelivery = filters.IndexOf("retry:redelivery");
            var retry = filters.IndexOf("retry:");
            var outbox = filters.IndexOf("outbox:");
            Assert.True(redelivery >= 0, $"{queue} has no scheduled redelivery: {string.Join(", ", filters)}");
            Assert.True(retry > redelivery, $"{queue}: retries must run inside each redelivery: {string.Join(", ", filters)}");
            Assert.True(outbox > retry, $"{queue}: each retry must be its own outbox transaction: {string.Join(", ", filters)}");
        }
    }

    private static string Describe(JsonNode n) => $"{n["filterType"]}:{n["type"]}";

    private static JsonNode? Find(JsonNode node, string key) =>
        Descendants(node).Select(n => n is JsonObject o && o.TryGetPropertyValue(key, out var v) ? v : null).FirstOrDefault(v => v is not null);

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
            foreach (var d in Descendants(child)) yield return d;
    }
}
