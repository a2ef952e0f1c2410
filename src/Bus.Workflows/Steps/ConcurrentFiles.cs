namespace Bus.Workflows.Steps;

/// <summary>Why a step stopped starting files.</summary>
public enum FileWorkStop
{
    /// <summary>Every file was done.</summary>
    None,
    /// <summary>The time slice is spent or the host is stopping: checkpoint and continue elsewhere.</summary>
    Yield,
    /// <summary>The workflow was cancelled while the step ran: compensation removes what was done.</summary>
    Cancelled,
    /// <summary>A file's work decided the step fails (the worker recorded why).</summary>
    Failed,
}

/// <summary>
/// Runs a step's per-file S3 work up to <c>concurrency</c> files at a time (ingest: <c>Bus:Ingest:StepConcurrency</c>):
/// one request after another leaves the S3 server, PostgreSQL and the host waiting for each other.
/// Before each file but the first starts, <paramref name="stop"/> is asked; once it (or a file's work) says stop, no
/// further file starts and the ones in flight finish, so every copy made is also marked: a
/// continuation or a retry repeats none of them and loses none.
/// </summary>
public static class ConcurrentFiles
{
    public static Task<FileWorkStop> RunAsync<T>(IEnumerable<T> files, int concurrency, Func<ValueTask<FileWorkStop>> stop,
        Func<T, CancellationToken, ValueTask<FileWorkStop>> work, CancellationToken cancellationToken) =>
        RunAsync(files.ToAsyncEnumerable(), concurrency, stop, work, cancellationToken);

    /// <summary>The same over files read in chunks (ingest's interim file rows): a 100,000-file bag is never in memory at once.</summary>
    public static Task<FileWorkStop> RunAsync<T>(IAsyncEnumerable<IReadOnlyList<T>> chunks, int concurrency, Func<ValueTask<FileWorkStop>> stop,
        Func<T, CancellationToken, ValueTask<FileWorkStop>> work, CancellationToken cancellationToken) =>
        RunAsync(chunks.SelectMany(chunk => chunk.ToAsyncEnumerable()), concurrency, stop, work, cancellationToken);

    private static async Task<FileWorkStop> RunAsync<T>(IAsyncEnumerable<T> files, int concurrency, Func<ValueTask<FileWorkStop>> stop,
        Func<T, CancellationToken, ValueTask<FileWorkStop>> work, CancellationToken cancellationToken)
    {
        var stopped = (int)FileWorkStop.None;
        var started = 0;
        // Ends the source at a stop too, so no further chunk of rows is read only to be skipped.
        var source = files.TakeWhile(_ => Volatile.Read(ref stopped) == (int)FileWorkStop.None);
        await Parallel.ForEachAsync(source, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (file, ct) =>
            {
                if (Volatile.Read(ref stopped) != (int)FileWorkStop.None) return;
                // The first file always starts: a slice spent before any work (a slow query under load) still
                // makes progress, so a step can never hand itself on forever without doing anything.
                var reason = Interlocked.Increment(ref started) == 1 ? FileWorkStop.None : await stop();
                if (reason == FileWorkStop.None) reason = await work(file, ct);
                if (reason != FileWorkStop.None) Interlocked.CompareExchange(ref stopped, (int)reason, (int)FileWorkStop.None);
            });
        return (FileWorkStop)stopped;
    }
}
