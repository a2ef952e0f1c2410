using Bus.Contracts.Ingest;
using Bus.Ingest.Steps;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

/// <summary>
/// MassTransit copies a consumed message's headers onto whatever its consumer sends or publishes, so
/// the mark a step puts on its own continuation reaches every later step of the ingest. Only a
/// continuation of the same step may skip reporting a new attempt: a later step still reports its
/// start (the saga's attempt counts and step timings depend on it).
/// </summary>
public sealed class When_a_step_follows_a_continued_step
{
    [Fact]
    public async Task Should_report_the_later_step_started_and_not_the_continuation()
    {
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<FirstStep>();
                x.AddConsumer<SecondStep>();
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>().Patient();
        await harness.Start();
        var id = Guid.NewGuid();

        await harness.Bus.Publish(new First(id));

        Assert.True(await harness.Consumed.Any<Second>(m => m.Context.Message.Id == id), "the second step never ran");
        Assert.True(await harness.Published.Any<IngestStepStarted>(m => m.Context.Message.IngestId == id && m.Context.Message.Step == "second"),
            "the step after a continued step did not report its start");
        await HarnessWaits.CountIsAsync(2, () => harness.Consumed.Select<First>(m => m.Context.Message.Id == id, HarnessWaits.Recorded).Count());
        await HarnessWaits.CountIsAsync(1, () => harness.Published.Select<IngestStepStarted>(m => m.Context.Message.IngestId == id && m.Context.Message.Step == "first", HarnessWaits.Recorded).Count());
    }

    public sealed record First(Guid Id);

    public sealed record Second(Guid Id);

    /// <summary>Continues itself once (a spent slice), then hands on to the next step from the continuation.</summary>
    public sealed class FirstStep : IConsumer<First>
    {
        private static readonly HashSet<Guid> Continued = [];

        public async Task Consume(ConsumeContext<First> context)
        {
            var run = await IngestStep.BeginAsync(context, context.Message.Id, "first", TimeSpan.FromMinutes(5));
            bool first;
            lock (Continued) first = Continued.Add(context.Message.Id);
            if (first)
            {
                await run.ContinueAsync();
                return;
            }
            await context.Publish(new Second(context.Message.Id));
        }
    }

    public sealed class SecondStep : IConsumer<Second>
    {
        public async Task Consume(ConsumeContext<Second> context) =>
            await IngestStep.BeginAsync(context, context.Message.Id, "second", TimeSpan.FromMinutes(5));
    }
}
