namespace Bus.Operations.ErrorQueues;

/// <summary>Where a faulted message goes back to: the queue it failed on, and only that one.</summary>
public static class ReplayTarget
{
    /// <summary>
    /// The error queue's name without its <c>_error</c>/<c>_skipped</c> suffix. A message's
    /// <c>MT-Fault-InputAddress</c> (<c>rabbitmq://host/vhost/queue-name?...</c>) is only a header anyone who
    /// can write the error queue can set: when it names another queue the target is refused (null), so a
    /// message put into one error queue can never be replayed into a different consumer's queue.
    /// </summary>
    public static string? Resolve(string errorQueue, string? inputAddress)
    {
        string? own = null;
        foreach (var suffix in new[] { "_error", "_skipped" })
            if (errorQueue.EndsWith(suffix, StringComparison.Ordinal) && errorQueue.Length > suffix.Length)
                own = errorQueue[..^suffix.Length];
        if (own is null || string.IsNullOrWhiteSpace(inputAddress) || !Uri.TryCreate(inputAddress, UriKind.Absolute, out var uri)) return own;
        var segment = uri.AbsolutePath.TrimEnd('/').Split('/').LastOrDefault();
        return string.IsNullOrEmpty(segment) || Uri.UnescapeDataString(segment) == own ? own : null;
    }
}
