using System.Text.Json;
using System.Text.Json.Nodes;
using Bus.Deletion;
using Bus.Fixity;
using Bus.Ingest;
using Bus.Ingest.Data;
using Bus.Operations;
using Bus.Persistence;
using Bus.Platform;
using Bus.Workflows.Coordination;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Tests.Workflows;

/// <summary>Ingest, fixity and deletion share one shape: one data source, one queue rule, one endpoint rule.</summary>
public sealed class When_workflows_are_built_from_the_kit
{
    private static ServiceCollection AllModules()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = "Test", ApplicationName = "tests", ContentRootPath = "." });
        services.AddBusPlatform(configuration);
        services.AddBusPersistence(configuration);
        services.AddBusOperations(configuration);
        services.AddIngestWorkflow(configuration);
        services.AddFixityWorkflow(configuration);
        services.AddDeletionWorkflow(configuration);
        return services;
    }

    [Fact]
    public async Task Every_module_uses_the_one_data_source_and_the_one_item_lock_registration()
    {
        var services = AllModules();
        Assert.Single(services, d => d.ServiceType == typeof(NpgsqlDataSource));
        Assert.Single(services, d => d.ServiceType == typeof(IItemLocks));

        await using var provider = services.BuildServiceProvider();
        var shared = provider.GetRequiredService<NpgsqlDataSource>();
        Assert.Same(shared, provider.GetRequiredService<InterimStore>().DataSource);
        Assert.Same(shared, provider.GetRequiredService<FixityDatabase>().DataSource);
        Assert.IsType<PostgresItemLocks>(provider.GetRequiredService<IItemLocks>());
    }

    [Fact]
    public void Every_queue_is_named_workflow_then_step_with_the_saga_on_state()
    {
        var ingest = new IngestQueues(Options.Create(new IngestOptions { QueuePrefix = "t1-" }));
        Assert.Equal("t1-ingest-state", ingest.Saga);
        Assert.Equal("t1-ingest-unpack", ingest.Unpack);
        Assert.Equal("fixity-state", FixityEndpoints.Check);
        Assert.Equal("fixity-verify-copy", FixityEndpoints.VerifyCopy);
        Assert.Equal("deletion-state", DeletionQueues.Saga);
        Assert.Equal("deletion-delete-item", DeletionQueues.DeleteItem);
    }

    [Fact]
    public async Task Every_saga_and_step_endpoint_commits_through_the_postgres_outbox_inside_its_retries()
    {
        await using var provider = new ServiceCollection()
            .AddSingleton(Options.Create(new IngestOptions()))
            .AddSingleton(Options.Create(new FixityOptions()))
            .AddSingleton(Options.Create(new DeletionOptions()))
            .AddSingleton<IngestQueues>()
            .AddMassTransitTestHarness(x =>
            {
                x.AddIngestWorkflow(saga => saga.InMemoryRepository());
                x.AddFixityWorkflow(saga => saga.InMemoryRepository());
                x.AddDeletionWorkflow(saga => saga.InMemoryRepository());
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var probe = JsonNode.Parse(JsonSerializer.Serialize(harness.Bus.GetProbeResult()))!;
        var endpoints = Descendants(probe).Select(n => n is JsonObject o && o.TryGetPropertyValue("receiveEndpoint", out var v) ? v : null)
            .First(v => v is not null)!.AsArray();
        var queues = new IngestQueues(Options.Create(new IngestOptions()));
        string[] expected = [queues.Saga, queues.Unpack, queues.Store, queues.Compensate, FixityEndpoints.Check, FixityEndpoints.VerifyCopy,
            FixityEndpoints.RepairCopy, FixityEndpoints.RecordOutcome, DeletionQueues.Saga, DeletionQueues.DeleteItem];
        foreach (var queue in expected)
        {
            var endpoint = endpoints.SingleOrDefault(e => (string?)e!["name"] == queue);
            Assert.True(endpoint is not null, $"no endpoint {queue}");
            var filters = Descendants(endpoint!).OfType<JsonObject>().Where(n => n["filterType"] is JsonValue)
                .Select(n => $"{n["filterType"]}:{n["type"]}").ToList();
            var retry = filters.IndexOf("retry:");
            var outbox = filters.IndexOf("outbox:");
            Assert.True(retry >= 0, $"{queue} has no retry: {string.Join(", ", filters)}");
            Assert.True(outbox > retry, $"{queue}: each retry must be its own outbox transaction: {string.Join(", ", filters)}");
        }
    }

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
