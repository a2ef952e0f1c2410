namespace Bus.Operations.ErrorQueues;

/// <summary>Where a faulted message goes back to: the queue it failed on.</summary>
public static class ReplayTarget
{
    /// <summary>
    /// The queue name from <c>MT-Fault-InputAddress</c> (<c>rabbitmq://host/vhost/queue-name?...</c>:
    /// the last path segment). Without the header (e.g. a <c>_skipped</c> queue, which MassTransit
    /// fills without fault headers) the error queue's name without its suffix.
    /// </summary>
    public static string? Resolve(string errorQueue, string? inputAddress)
    {
        if (!string.IsNullOrWhiteSpace(inputAddress) && Uri.TryCreate(inputAddress, UriKind.Absolute, out var uri))
        {
            var segment = uri.AbsolutePath.TrimEnd('/').Split('/').LastOrDefault();
            if (!string.IsNullOrEmpty(segment)) return Uri.UnescapeDataString(segment);
        }
        foreach (var suffix in new[] { "_error", "_skipped" })
            if (errorQueue.EndsWith(suffix, StringComparison.Ordinal) && errorQueue.Length > suffix.Length)
                return errorQueue[..^suffix.Length];
        return null;
    }
}
