using System.Text.Json.Nodes;
using Bus.Platform.Options;
using MassTransit;
using RabbitMQ.Client;

namespace Bus.Benchmarks.Replay;

/// <summary>
/// One message exactly as MassTransit leaves it in <c>&lt;queue&gt;_error</c> after a real consumer
/// threw (no retry): its fault, host and reason headers, properties and envelope body. The benchmark
/// fills the error queue with copies that differ only in their MessageId, because a real consumer
/// faulting 20,000 times would take far longer than the replay being measured.
/// </summary>
internal sealed class FaultTemplate
{
    private readonly IReadOnlyBasicProperties _properties;
    private readonly JsonNode _envelope;

    private FaultTemplate(IReadOnlyBasicProperties properties, byte[] body)
    {
        _properties = properties;
        BodyBytes = body.Length;
        _envelope = JsonNode.Parse(body) ?? throw new InvalidOperationException("the faulted message has no JSON body");
    }

    public int BodyBytes { get; }
    public IReadOnlyList<string> HeaderNames => _properties.Headers?.Keys.ToList() ?? [];

    /// <summary>Starts a bus whose consumer on <paramref name="queue"/> always throws, sends it one message and takes the fault from the error queue.</summary>
    public static async Task<FaultTemplate> CaptureAsync(RabbitMqOptions o, string queue, CancellationToken cancellationToken)
    {
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, h => { h.Username(o.Username); h.Password(o.Password); });
            cfg.ReceiveEndpoint(queue, e => e.Consumer<UnreachableStorageConsumer>());
        });
        await bus.StartAsync(cancellationToken);
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
            await endpoint.Send(new CopyToPreservation(NewId.NextGuid(), "bench.test.edu", "bench.test.edu/bag-0001",
                "staging/bench.test.edu/bag-0001/data/file-0001.tif", 48_213_544, "sha256:" + new string('a', 64)), cancellationToken);
            var factory = new ConnectionFactory { HostName = o.Host, Port = o.Port, VirtualHost = o.VirtualHost, UserName = o.Username, Password = o.Password };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (await ExistsAsync(connection, queue + "_error", cancellationToken)
                    && await channel.BasicGetAsync(queue + "_error", autoAck: true, cancellationToken) is { } got)
                    return new FaultTemplate(got.BasicProperties, got.Body.ToArray());
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"no fault arrived in {queue}_error within 60 s");
                await Task.Delay(100, cancellationToken);
            }
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The template with a fresh MessageId (AMQP property and envelope).</summary>
    public (BasicProperties Properties, byte[] Body) Copy(Guid messageId)
    {
        var envelope = _envelope.DeepClone();
        envelope["messageId"] = messageId.ToString();
        return (new BasicProperties(_properties) { MessageId = messageId.ToString() }, System.Text.Encoding.UTF8.GetBytes(envelope.ToJsonString()));
    }

    private static async Task<bool> ExistsAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try { await channel.QueueDeclarePassiveAsync(queue, cancellationToken); return true; }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { return false; }
    }

    /// <summary>Shaped like an ingest step command.</summary>
    public sealed record CopyToPreservation(Guid IngestId, string Institution, string ObjectIdentifier, string StagingKey, long Size, string Digest);

    private sealed class UnreachableStorageConsumer : IConsumer<CopyToPreservation>
    {
        public Task Consume(ConsumeContext<CopyToPreservation> context) =>
            throw new TimeoutException($"S3 PUT of {context.Message.StagingKey} timed out after 100 s (benchmark: the consumer always fails)");
    }
}
