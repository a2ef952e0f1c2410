using Bus.Platform.Messaging;
using Bus.Platform.Options;
using MassTransit;

namespace Bus.Cli;

/// <summary>
/// A short-lived MassTransit bus for one busctl command: publishes and requests only, no
/// consumers of its own (its temporary response queue is auto-deleted when it stops).
/// </summary>
public sealed class CliBus : IAsyncDisposable
{
    private CliBus(IBusControl bus) => Bus = bus;

    public IBusControl Bus { get; }

    public static async Task<CliBus> StartAsync(RabbitMqOptions o, CancellationToken cancellationToken)
    {
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, h =>
            {
                h.Username(o.Username);
                h.Password(o.Password);
                h.PublisherConfirmation = true;
                h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
            });
            // user_id = our broker user, which RabbitMQ verifies: the ingest saga accepts a SubmitIngest only with one.
            cfg.ConfigureSend(s => s.UseExecute(c => BrokerIdentity.Stamp(c, o.Username)));
            cfg.ConfigurePublish(s => s.UseExecute(c => BrokerIdentity.Stamp(c, o.Username)));
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await bus.StartAsync(timeout.Token);
        return new CliBus(bus);
    }

    public async ValueTask DisposeAsync() => await Bus.StopAsync(TimeSpan.FromSeconds(10));
}
