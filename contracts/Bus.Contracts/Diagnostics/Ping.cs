namespace Bus.Contracts.Diagnostics;

/// <summary>Asks any running host to answer with <see cref="Pong"/>; proves the bus carries messages end to end.</summary>
public sealed record Ping(Guid PingId, DateTimeOffset SentAt);

public sealed record Pong(Guid PingId, string HostName, int ProcessId, IReadOnlyList<string> Roles, DateTimeOffset AnsweredAt);
