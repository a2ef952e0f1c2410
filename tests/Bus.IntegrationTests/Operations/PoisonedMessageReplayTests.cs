using System.Text.Json;
using Bus.Operations.ErrorQueues;
using MassTransit;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// The whole story on the real broker: a MassTransit consumer (no retry) fails on a poisoned
/// condition, MassTransit moves the message to its _error queue, the condition is fixed, and
/// <c>busctl errors replay</c> returns it to the consumer, which now handles it.
/// </summary>
public class PoisonedMessageReplayTests
{
    public sealed record ReplayProbe(Guid ProbeId);

    private sealed class Condition
    {
        public volatile bool Poisoned = true;
        public readonly TaskCompletionSource<ConsumeContext<ReplayProbe>> Handled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class PoisonableConsumer(Condition condition) : IConsumer<ReplayProbe>
    {
        public Task Consume(ConsumeContext<ReplayProbe> context)
        {
            if (condition.Poisoned) throw new InvalidOperationException("poisoned: the stage's dependency is broken");
            condition.Handled.TrySetResult(context);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Fixed_condition_then_replay_delivers_the_failed_message_to_its_consumer()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var queue = kit.Prefix + "-stage";
        var errorQueue = queue + "_error";
        kit.Owns(queue, errorQueue);
        var condition = new Condition();
        var o = kit.Rabbit;
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, h => { h.Username(o.Username); h.Password(o.Password); });
            cfg.ReceiveEndpoint(queue, e => e.Consumer(() => new PoisonableConsumer(condition)));
        });
        await bus.StartAsync();
        try
        {
            var probe = new ReplayProbe(Guid.NewGuid());
            var messageId = NewId.NextGuid();
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
            await endpoint.Send(probe, c => c.MessageId = messageId);
            await kit.WaitForCountAsync(errorQueue, 1);
            var failed = Assert.Single(await kit.PeekAsync(errorQueue));
            Assert.Equal(messageId.ToString(), failed.MessageId);
            Assert.Equal(typeof(InvalidOperationException).FullName, failed.ExceptionType);
            // MassTransit writes the .NET full name here ("Namespace.Outer+ReplayProbe"); the short name selects it.
            Assert.True(MessageSelector.Create(null, false, null, nameof(ReplayProbe)).Matches(failed), string.Join(";", failed.MessageTypes));
            Assert.NotNull(failed.FaultTimestamp);
            Assert.Equal(queue, ReplayTarget.Resolve(errorQueue, failed.Header(FaultHeaders.InputAddress)));

            condition.Poisoned = false;
            var (exit, stdout, stderr) = await ErrorQueueTestKit.RunBusctlAsync("errors", "replay", errorQueue, "--all", "--by", "test-operator", "--json");

            Assert.True(exit == 0, stderr);
            using var report = JsonDocument.Parse(stdout);
            Assert.Equal(1, report.RootElement.GetProperty("replayed").GetInt32());
            var handled = await condition.Handled.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(messageId, handled.MessageId);
            Assert.Equal(probe, handled.Message);
            Assert.Equal(1L, handled.ReceiveContext.TransportHeaders.Get<long>(FaultHeaders.ReplayCount));
            Assert.False(handled.ReceiveContext.TransportHeaders.TryGetHeader(FaultHeaders.ExceptionType, out _));
            Assert.Equal(0u, await kit.CountAsync(errorQueue));
            var audit = Assert.Single(await kit.AuditAsync([messageId]));
            Assert.Equal(("replay", "replayed", "test-operator", queue), (audit.Action, audit.Outcome, audit.Actor, audit.Target));
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
