using Bus.Platform.Options;

namespace Bus.Persistence;

/// <summary>How the PostgreSQL inbox, outbox, scheduler and cleanup behave (section <c>Bus:Persistence</c>).</summary>
public sealed class PersistenceOptions : IBusOptions
{
    public const string Section = "Bus:Persistence";
    public string SectionName => Section;

    /// <summary>How long a consumed message id is remembered: a redelivery inside this window is skipped.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long delivered outbox rows are kept for inspection before cleanup deletes them.</summary>
    public TimeSpan DeliveredOutboxRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Whether this process runs the outbox delivery service. Every host that consumes with the outbox
    /// should (it is woken at once after each commit); turn it off only for processes that must not publish.
    /// </summary>
    public bool DeliverOutbox { get; set; } = true;

    /// <summary>How often delivery looks for rows left by another (or a crashed) process when not woken.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Outbox groups (one per consumed message) one delivery transaction takes.</summary>
    public int OutboxBatchSize { get; set; } = 100;

    /// <summary>
    /// Largest outbox message (body plus headers, in bytes) delivery sends. A larger one is parked before
    /// anything is sent: RabbitMQ refuses messages over its limit (128 MiB by default) by closing the
    /// channel, which would fail every send sharing it.
    /// </summary>
    public long OutboxMaxMessageBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Failed delivery attempts after which an outbox group is parked (kept, skipped, shown by busctl outbox list).</summary>
    public int OutboxMaxAttempts { get; set; } = 10;

    /// <summary>Wait after a group's first failed attempt; doubled after each further one, at most 5 minutes.</summary>
    public TimeSpan OutboxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest message RabbitMQ accepts by default (max_message_size); the bound must stay under it.</summary>
    public const long BrokerMaxMessageBytes = 128L * 1024 * 1024;

    /// <summary>How often the scheduler role looks for due scheduled messages.</summary>
    public TimeSpan SchedulerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound on sending one stored (outbox or scheduled) message to the broker, confirm included.</summary>
    public TimeSpan RelaySendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a scheduled message that could not be sent waits before it is tried again.</summary>
    public TimeSpan SchedulerRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the scheduler role deletes expired inbox rows and old delivered outbox rows.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Immediate in-process retries of a message that hit a transient database error (deadlock, serialization, insert race).</summary>
    public int TransientRetryLimit { get; set; } = 10;

    /// <summary>
    /// How long a message that met an unavailable database (PostgreSQL restarting, crashed, unreachable) is tried
    /// again in process, at 1, 2, 4, 8, 16, 30, 30... s, before it faults into its <c>_error</c> queue: a restart
    /// takes seconds to a minute, and the quick <see cref="TransientRetryLimit"/> retries are spent in about five.
    /// 0: no such retry. The message stays unacknowledged meanwhile (RabbitMQ's consumer timeout is 30 minutes).
    /// </summary>
    public int DatabaseOutageRetrySeconds { get; set; } = 180;

    /// <summary>The waits between attempts for <see cref="DatabaseOutageRetrySeconds"/>: doubling from 1 s to 30 s, as many as fit.</summary>
    public IReadOnlyList<TimeSpan> DatabaseOutageRetryIntervals
    {
        get
        {
            var intervals = new List<TimeSpan>();
            var (next, total) = (1, 0);
            while (total + next <= DatabaseOutageRetrySeconds)
            {
                intervals.Add(TimeSpan.FromSeconds(next));
                total += next;
                next = Math.Min(next * 2, 30);
            }
            return intervals;
        }
    }

    public IEnumerable<OptionError> Validate()
    {
        if (InboxRetention <= TimeSpan.Zero) yield return new(nameof(InboxRetention), "must be positive");
        if (DeliveredOutboxRetention < TimeSpan.Zero) yield return new(nameof(DeliveredOutboxRetention), "must not be negative");
        if (OutboxPollInterval <= TimeSpan.Zero) yield return new(nameof(OutboxPollInterval), "must be positive");
        if (SchedulerPollInterval <= TimeSpan.Zero) yield return new(nameof(SchedulerPollInterval), "must be positive");
        if (RelaySendTimeout <= TimeSpan.Zero) yield return new(nameof(RelaySendTimeout), "must be positive");
        if (SchedulerRetryDelay <= TimeSpan.Zero) yield return new(nameof(SchedulerRetryDelay), "must be positive");
        if (CleanupInterval <= TimeSpan.Zero) yield return new(nameof(CleanupInterval), "must be positive");
        if (OutboxBatchSize is < 1 or > 10_000) yield return new(nameof(OutboxBatchSize), $"must be 1-10000 (got {OutboxBatchSize})");
        if (OutboxMaxMessageBytes is < 1024 or > BrokerMaxMessageBytes / 2)
            yield return new(nameof(OutboxMaxMessageBytes), $"must be 1024-{BrokerMaxMessageBytes / 2} bytes, well under RabbitMQ's 128 MiB message limit (got {OutboxMaxMessageBytes})");
        if (OutboxMaxAttempts is < 1 or > 1000) yield return new(nameof(OutboxMaxAttempts), $"must be 1-1000 (got {OutboxMaxAttempts})");
        if (OutboxRetryDelay <= TimeSpan.Zero || OutboxRetryDelay > TimeSpan.FromMinutes(5))
            yield return new(nameof(OutboxRetryDelay), $"must be positive and at most 00:05:00 (got {OutboxRetryDelay})");
        if (DatabaseOutageRetrySeconds is < 0 or > 1500)
            yield return new(nameof(DatabaseOutageRetrySeconds), $"must be 0-1500 seconds, under RabbitMQ's 30-minute consumer timeout (got {DatabaseOutageRetrySeconds})");
        if (TransientRetryLimit is < 0 or > 100) yield return new(nameof(TransientRetryLimit), $"must be 0-100 (got {TransientRetryLimit})");
    }

    public IEnumerable<string> Endpoints() => [];
}
