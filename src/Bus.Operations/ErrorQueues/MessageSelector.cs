namespace Bus.Operations.ErrorQueues;

/// <summary>
/// Which messages of an error queue a replay or archive acts on: given message ids, everything,
/// or a failure group (message type and/or exception type, as <c>errors list</c> shows them).
/// </summary>
public sealed class MessageSelector
{
    private MessageSelector(IReadOnlySet<Guid> messageIds, bool all, string? exceptionType, string? messageType)
    {
        MessageIds = messageIds;
        All = all;
        ExceptionType = exceptionType;
        MessageType = messageType;
    }

    public IReadOnlySet<Guid> MessageIds { get; }
    public bool All { get; }
    public string? ExceptionType { get; }
    public string? MessageType { get; }

    /// <summary>Builds a selector from command-line values; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static MessageSelector Create(IEnumerable<string>? messageIds, bool all, string? exceptionType, string? messageType)
    {
        var ids = new HashSet<Guid>();
        foreach (var raw in messageIds ?? [])
        {
            // MassTransit message ids are GUIDs; anything else is a typo that would silently select nothing.
            if (!Guid.TryParse(raw, out var id))
                throw new ArgumentException($"--message-id '{raw}' is not a message id (expected a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301)");
            ids.Add(id);
        }
        exceptionType = string.IsNullOrWhiteSpace(exceptionType) ? null : exceptionType.Trim();
        messageType = string.IsNullOrWhiteSpace(messageType) ? null : messageType.Trim();
        var hasGroup = exceptionType is not null || messageType is not null;
        if (ids.Count == 0 && !all && !hasGroup)
            throw new ArgumentException("say which messages: --message-id <id>..., --all, --exception-type <type> or --message-type <type>");
        if (all && (ids.Count > 0 || hasGroup))
            throw new ArgumentException("--all cannot be combined with --message-id, --exception-type or --message-type");
        if (ids.Count > 0 && hasGroup)
            throw new ArgumentException("--message-id cannot be combined with --exception-type or --message-type");
        return new MessageSelector(ids, all, exceptionType, messageType);
    }

    public bool Matches(ErrorMessage message)
    {
        if (All) return true;
        if (MessageIds.Count > 0)
            return Guid.TryParse(message.MessageId, out var id) && MessageIds.Contains(id);
        if (ExceptionType is not null && !TypeNameMatches(message.ExceptionType, ExceptionType)) return false;
        if (MessageType is not null && !message.MessageTypes.Any(t => TypeNameMatches(t, MessageType))) return false;
        return true;
    }

    /// <summary>When every requested id has been seen the scan can stop early.</summary>
    public bool IsExhaustedBy(IReadOnlySet<Guid> seen) => MessageIds.Count > 0 && MessageIds.IsSubsetOf(seen);

    /// <summary>
    /// An operator may type a type as list prints it (<c>Bus.Contracts.Ping</c>, <c>urn:message:Bus.Contracts:Ping</c>,
    /// <c>System.InvalidOperationException</c>) or just its short name (<c>Ping</c>,
    /// <c>InvalidOperationException</c>); all of these match, ignoring case.
    /// </summary>
    public static bool TypeNameMatches(string? actual, string wanted)
    {
        if (string.IsNullOrEmpty(actual)) return false;
        foreach (var candidate in TypeNameForms(actual))
            if (candidate.Equals(wanted, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static IEnumerable<string> TypeNameForms(string name)
    {
        yield return name;
        var dotted = name;
        if (name.StartsWith("urn:message:", StringComparison.OrdinalIgnoreCase))
        {
            dotted = name["urn:message:".Length..].Replace(':', '.');
            yield return dotted;
        }
        // Generic arguments and assembly qualifications are not part of the short name; MassTransit's
        // MT-Fault-MessageType holds the .NET full name, where a nested type follows a '+'.
        var plain = dotted.Split('[', ',')[0];
        var lastSeparator = plain.LastIndexOfAny(['.', '+']);
        if (lastSeparator >= 0) yield return plain[(lastSeparator + 1)..];
    }
}
