using Bus.Ingest.Steps;
using System.Collections.Concurrent;
using System.Net;
using Amazon.S3;
using Bus.Ingest;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.Tests.Ingest;

/// <summary>
/// The ingest step endpoints' failure policy (<see cref="IngestStepPolicy"/>) on the in-memory
/// harness, whose delayed scheduler stands in for the PostgreSQL one: transient errors are retried,
/// then redelivered, then faulted; fatal errors fault at the first attempt.
/// </summary>
public sealed class When_a_step_keeps_failing
{
    private static readonly IngestOptions Options = new() { RetryLimit = 2, RedeliveryLimit = 2, RedeliveryDelay = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task Should_retry_then_redeliver_a_transient_error_before_faulting()
    {
        var key = Guid.NewGuid();
        var attempts = await RunUntilFaultedAsync(new Failing(key, Transient: true));

        // Each delivery (the first and two redeliveries) gets the first try plus RetryLimit retries.
        Assert.Equal((1 + Options.RetryLimit) * (1 + Options.RedeliveryLimit), attempts.Count);
        Assert.Equal([0, 1, 2], attempts.Select(a => a.Redelivery).Distinct().Order());
    }

    [Fact]
    public async Task Should_fault_a_fatal_error_at_the_first_attempt()
    {
        var attempts = await RunUntilFaultedAsync(new Failing(Guid.NewGuid(), Transient: false));

        var only = Assert.Single(attempts);
        Assert.Equal(0, only.Redelivery);
    }

    private static async Task<List<(int Redelivery, DateTime At)>> RunUntilFaultedAsync(Failing message)
    {
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.AddDelayedMessageScheduler();
                x.AddConsumer<FailingStepConsumer, FailingStepDefinition>();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        // Retries and redeliveries leave gaps of seconds with no bus activity: wait through them.
        harness.Patient();
        await harness.Start();
        await harness.Bus.Publish(message);

        Assert.True(await harness.Published.Any<Fault<Failing>>(m => m.Context.Message.Message.Key == message.Key), "no fault published");
        return FailingStepConsumer.Attempts.TryGetValue(message.Key, out var list) ? list.ToList() : [];
    }

    public sealed record Failing(Guid Key, bool Transient);

    public sealed class FailingStepConsumer : IConsumer<Failing>
    {
        public static readonly ConcurrentDictionary<Guid, ConcurrentQueue<(int Redelivery, DateTime At)>> Attempts = new();

        public Task Consume(ConsumeContext<Failing> context)
        {
            Attempts.GetOrAdd(context.Message.Key, _ => new()).Enqueue((context.GetRedeliveryCount(), DateTime.UtcNow));
            throw new AmazonS3Exception("test") { StatusCode = context.Message.Transient ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.NotFound };
        }
    }

    public sealed class FailingStepDefinition : ConsumerDefinition<FailingStepConsumer>
    {
        protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FailingStepConsumer> consumerConfigurator,
            IRegistrationContext context) => IngestStepPolicy.For(Options).Apply(endpointConfigurator);
    }
}
