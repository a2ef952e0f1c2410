namespace Bus.Contracts.Fixity;

/// <summary>
/// Asks for a fixity check of one preservation copy (a registry storage record). The sweep and
/// <c>busctl fixity check</c> send it; <see cref="CheckId"/> is made once by the sender and names this
/// check in <c>fixity.checks</c>. A copy already being checked ignores a second request.
/// </summary>
public sealed record CheckFixity(Guid CheckId, long StorageRecordId, string RequestedBy, DateTimeOffset RequestedAt);
