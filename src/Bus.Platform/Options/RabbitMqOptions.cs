namespace Bus.Platform.Options;

public sealed class RabbitMqOptions : IBusOptions
{
    public const string Section = "Bus:RabbitMq";
    public string SectionName => Section;

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5673;
    public string VirtualHost { get; set; } = "bus";
    public string Username { get; set; } = "bus";
    public string Password { get; set; } = "bus";
    public int ManagementPort { get; set; } = 15673;
    public int PrefetchCount { get; set; } = 16;
    public RabbitMqTlsOptions Tls { get; set; } = new();
    /// <summary>
    /// How Bus's receive queues are declared: <c>classic</c> (default: one copy on one node, what a single-node broker
    /// and every existing deployment have) or <c>quorum</c> (replicated by Raft over a cluster's nodes, survives a
    /// node's loss; the virtual host must have default queue type quorum and a delivery-limit policy). A queue cannot
    /// change type in place: see docs/operations.md §15 for the migration.
    /// </summary>
    public string QueueType { get; set; } = QueueTypes.Classic;

    public Uri AmqpUri => new($"{(Tls.Enabled ? "amqps" : "amqp")}://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");
    public Uri ManagementUri => new($"{(Tls.ManagementHttps ?? Tls.Enabled ? "https" : "http")}://{Host}:{ManagementPort}/");
    /// <summary>The name the server's certificate must carry.</summary>
    public string TlsServerName => string.IsNullOrWhiteSpace(Tls.ServerName) ? Host : Tls.ServerName;

    public IEnumerable<OptionError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) yield return new(nameof(Host), "must name the RabbitMQ host");
        if (Port is < 1 or > 65535) yield return new(nameof(Port), $"must be a TCP port 1-65535 (got {Port})");
        if (ManagementPort is < 1 or > 65535) yield return new(nameof(ManagementPort), $"must be a TCP port 1-65535 (got {ManagementPort})");
        if (string.IsNullOrWhiteSpace(VirtualHost)) yield return new(nameof(VirtualHost), "must name a virtual host");
        if (string.IsNullOrWhiteSpace(Username)) yield return new(nameof(Username), "must not be empty");
        if (PrefetchCount is < 1 or > 1000) yield return new(nameof(PrefetchCount), $"must be 1-1000 (got {PrefetchCount})");
        if (QueueType is not (QueueTypes.Classic or QueueTypes.Quorum))
            yield return new(nameof(QueueType), $"must be '{QueueTypes.Classic}' or '{QueueTypes.Quorum}' (got '{QueueType}')");
        foreach (var e in Tls.Validate(Port)) yield return e;
    }

    public IEnumerable<string> Endpoints() => [Host];

    public IEnumerable<(string Key, string? Value)> Secrets() => [(nameof(Password), Password)];
}

public static class QueueTypes
{
    public const string Classic = "classic";
    public const string Quorum = "quorum";
}
