namespace Bus.WebConsole.Operations;

/// <summary>The Operations pages' addresses, every queue name and type escaped (they come from the broker and from message headers).</summary>
public static class OperationsLinks
{
    public static string Queue(string queue) => $"/operations/queues/{Uri.EscapeDataString(queue)}";

    public static string Group(string queue, string messageType, string exceptionType) =>
        $"{Queue(queue)}?messageType={Uri.EscapeDataString(messageType)}&exceptionType={Uri.EscapeDataString(exceptionType)}";

    public static string Message(string queue, string? messageId) => $"{Queue(queue)}/messages/{Uri.EscapeDataString(messageId ?? "")}";

    /// <summary>The dry run of <paramref name="action"/> (replay or archive) over one message, a group (type and/or exception) or the whole queue.</summary>
    public static string DryRun(string action, string queue, string? messageId = null, string? messageType = null, string? exceptionType = null, bool all = false)
    {
        var query = new List<string>();
        if (messageId is not null) query.Add("messageId=" + Uri.EscapeDataString(messageId));
        if (messageType is not null) query.Add("messageType=" + Uri.EscapeDataString(messageType));
        if (exceptionType is not null) query.Add("exceptionType=" + Uri.EscapeDataString(exceptionType));
        if (all) query.Add("all=true");
        return $"{Queue(queue)}/{action}?{string.Join('&', query)}";
    }

    public static string Saga(Guid id) => $"/operations/sagas/{id}";
}
