namespace Bus.Benchmarks;

/// <summary>
/// One end-to-end measurement, run as <c>make bench-NAME</c>. It prints a Markdown section
/// (machine, what ran, the figures) that goes into docs/benchmarks.md.
/// </summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
