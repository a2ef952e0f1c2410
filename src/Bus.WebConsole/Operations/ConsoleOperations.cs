using Bus.Operations;
using Bus.Operations.Archive;
using Bus.Operations.Audit;
using Bus.Operations.ErrorQueues;
using Bus.Operations.Sagas;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.WebConsole.Operations;

/// <summary>
/// The operations services busctl uses (<see cref="ErrorQueueService"/>, <see cref="ErrorArchive"/>,
/// <see cref="SagaStatusStore"/>), with one difference for a web process: a scan holds at most
/// <see cref="ScanLimit"/> messages of a queue in memory (Bus:Operations:MaxScanMessages, when smaller,
/// still wins). Every replay and archive keeps the services' own guarantees (confirmed or committed
/// before the original leaves the error queue); the console only chooses which messages.
/// </summary>
public sealed class ConsoleOperations
{
    /// <summary>Messages one console request reads from a queue; also the most one confirm form replays or archives.</summary>
    public const int ScanLimit = 500;

    public ConsoleOperations(IOptions<RabbitMqOptions> rabbit, IOptions<OperationsOptions> operations, ErrorAudit audit, ISagaLookup sagaLookup,
        NpgsqlDataSource dataSource, SagaStatusStore sagas, TimeProvider clock)
    {
        var configured = operations.Value;
        var bounded = Options.Create(new OperationsOptions
        {
            ArchiveRetentionDays = configured.ArchiveRetentionDays,
            MaxScanMessages = Math.Min(configured.MaxScanMessages, ScanLimit),
            ReplayBatchSize = configured.ReplayBatchSize,
        });
        Rabbit = rabbit.Value;
        MaxScan = bounded.Value.MaxScanMessages;
        ErrorQueues = new ErrorQueueService(rabbit, bounded, audit, sagaLookup);
        Archive = new ErrorArchive(rabbit, bounded, dataSource, audit, clock);
        Sagas = sagas;
    }

    public RabbitMqOptions Rabbit { get; }
    public int MaxScan { get; }
    public ErrorQueueService ErrorQueues { get; }
    public ErrorArchive Archive { get; }
    public SagaStatusStore Sagas { get; }

    /// <summary>
    /// The messages of one error queue (at most <see cref="MaxScan"/>) that <paramref name="selector"/> picks,
    /// without their sagas; null when the queue does not exist. The scan is the operations kit's: every
    /// message is returned to its place when it ends.
    /// </summary>
    public async Task<(IReadOnlyList<ErrorMessageView> Messages, int Scanned, bool Truncated)?> PeekAsync(string queue, MessageSelector selector, CancellationToken ct)
    {
        await using var broker = await ErrorQueueBroker.ConnectAsync(Rabbit, ct);
        if (!ErrorQueueCatalog.IsErrorQueue(queue) || await broker.ReadyCountAsync(queue, ct) is null) return null;
        await using var scan = await broker.ScanAsync(queue, MaxScan, null, ct);
        return (scan.Messages.Where(selector.Matches).Select(m => ErrorMessageView.From(m, null)).ToList(), scan.Messages.Count, scan.Truncated);
    }

    /// <summary>
    /// The sagas a message names (<see cref="NamedIds"/>): the service's own lookup when it found one, else
    /// every id of the message that bus.saga_status holds, asked one id at a time (at most <see cref="NamedIds.MaxIds"/>).
    /// </summary>
    public async Task<IReadOnlyList<SagaStatusRow>> SagasNamedByAsync(ErrorMessageView message, CancellationToken ct)
    {
        var found = new List<SagaStatusRow>();
        foreach (var (_, id) in NamedIds.Of(message))
            found.AddRange(await Sagas.FindAsync(id, ct));
        return found;
    }

    /// <summary>The failure group of a link (message type and exception type as the list shows them), or every message.</summary>
    public static MessageSelector GroupSelector(string? messageType, string? exceptionType) =>
        string.IsNullOrWhiteSpace(messageType) && string.IsNullOrWhiteSpace(exceptionType)
            ? MessageSelector.Create(null, all: true, null, null)
            // FailureGroup names a message without an exception type "(none)": that group is matched by message type alone.
            : MessageSelector.Create(null, all: false, exceptionType == NoException ? null : exceptionType, messageType);

    public const string NoException = "(none)";

    /// <summary>Why an operations call could not be done, for the page (null: not an operations failure, let it throw).</summary>
    public static (int Status, string Message)? Explain(Exception e) => e switch
    {
        OperationsUsageException u => (404, u.Message),
        ArgumentException a => (400, a.Message),
        PostgresException { SqlState: PostgresErrorCodes.UndefinedTable } p => (503, $"{p.MessageText}: run 'busctl db migrate'"),
        RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.OperationInterruptedException or HttpRequestException
            or NpgsqlException or System.Net.Sockets.SocketException or PublishNotConfirmedException or TimeoutException or TaskCanceledException
            => (503, $"{e.GetType().Name}: {e.GetBaseException().Message}"),
        _ => null,
    };
}
