using System.Text.Json;
using Bus.Platform.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Bus.IntegrationTests.Security;

/// <summary>
/// Publishes MassTransit envelopes over plain AMQP as a chosen broker user, the way a forger (or an
/// integrator's own tool) would, and reports the broker's refusal code when the publish or read is refused.
/// </summary>
public sealed class ForgedMessages(string virtualHost, string user, string password) : IAsyncDisposable
{
    private static readonly RabbitMqOptions Defaults = new();
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private IConnection? _connection;

    /// <summary>The local stack's host user (full rights on every test vhost).</summary>
    public static ForgedMessages AsHost(string virtualHost) => new(virtualHost, Defaults.Username, Defaults.Password);

    /// <summary>Publishes <paramref name="message"/> as <paramref name="messageUrn"/>; null when the broker confirmed it, else its reply code (403: refused).</summary>
    public Task<ushort?> PublishAsync(string exchange, string routingKey, string messageUrn, object message, bool stampUserId = true) =>
        OnFreshChannelAsync(async channel =>
        {
            var id = Guid.NewGuid();
            var body = JsonSerializer.SerializeToUtf8Bytes(new { messageId = id, messageType = new[] { messageUrn }, message }, WebJson);
            var properties = new BasicProperties
            {
                MessageId = id.ToString(), ContentType = "application/vnd.masstransit+json", DeliveryMode = DeliveryModes.Persistent,
                UserId = stampUserId ? user : null,
            };
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body);
        });

    /// <summary>Tries to take a message from <paramref name="queue"/>; null when allowed, else the broker's reply code.</summary>
    public Task<ushort?> GetAsync(string queue) => OnFreshChannelAsync(channel => channel.BasicGetAsync(queue, autoAck: false));

    private async Task<ushort?> OnFreshChannelAsync(Func<IChannel, Task> action)
    {
        _connection ??= await new ConnectionFactory
        {
            HostName = Defaults.Host, Port = Defaults.Port, VirtualHost = virtualHost, UserName = user, Password = password,
            ClientProvidedName = "test-forger",
        }.CreateConnectionAsync();
        try
        {
            await using var channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await action(channel);
            return null;
        }
        catch (OperationInterruptedException e) { return e.ShutdownReason?.ReplyCode; }
        catch (PublishException) { return 0; }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
