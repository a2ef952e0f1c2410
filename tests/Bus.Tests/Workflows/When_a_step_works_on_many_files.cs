using Bus.Ingest.Steps;
using Bus.Workflows.Steps;

namespace Bus.Tests.Workflows;

public sealed class When_a_step_works_on_many_files
{
    private sealed class InFlight
    {
        private int _now;
        public int Max;
        public readonly List<int> Finished = [];

        public async ValueTask<FileWorkStop> WorkAsync(int file, CancellationToken ct, FileWorkStop result = FileWorkStop.None)
        {
            var now = Interlocked.Increment(ref _now);
            InterlockedMax(ref Max, now);
            await Task.Delay(30, ct);
            Interlocked.Decrement(ref _now);
            lock (Finished) Finished.Add(file);
            return result;
        }

        private static void InterlockedMax(ref int target, int value)
        {
            for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
                if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
        }
    }

    private static ValueTask<FileWorkStop> Go() => ValueTask.FromResult(FileWorkStop.None);

    [Fact]
    public async Task Should_work_on_several_files_at_once_up_to_the_limit()
    {
        var files = new InFlight();
        var stopped = await ConcurrentFiles.RunAsync(Enumerable.Range(0, 24), 4, Go, (f, ct) => files.WorkAsync(f, ct), CancellationToken.None);
        Assert.Equal(FileWorkStop.None, stopped);
        Assert.Equal(24, files.Finished.Count);
        Assert.Equal(Enumerable.Range(0, 24), files.Finished.Order());
        Assert.InRange(files.Max, 2, 4);
    }

    [Fact]
    public async Task Should_start_no_file_after_the_slice_is_spent_and_finish_those_in_flight()
    {
        var files = new InFlight();
        var asked = 0;
        var stopped = await ConcurrentFiles.RunAsync(Enumerable.Range(0, 100), 4,
            () => ValueTask.FromResult(Interlocked.Increment(ref asked) > 10 ? FileWorkStop.Yield : FileWorkStop.None),
            (f, ct) => files.WorkAsync(f, ct), CancellationToken.None);
        Assert.Equal(FileWorkStop.Yield, stopped);
        // Exactly the files that were started are finished (the first, which is not asked about, and ten
        // more): none cut off half-way, none started after the stop.
        Assert.Equal(11, files.Finished.Count);
    }

    [Fact]
    public async Task Should_still_do_one_file_when_the_slice_was_spent_before_the_first()
    {
        var files = new InFlight();
        var stopped = await ConcurrentFiles.RunAsync(Enumerable.Range(0, 100), 4, () => ValueTask.FromResult(FileWorkStop.Yield),
            (f, ct) => files.WorkAsync(f, ct), CancellationToken.None);
        Assert.Equal(FileWorkStop.Yield, stopped);
        Assert.Single(files.Finished);
    }

    [Fact]
    public async Task Should_stop_starting_files_when_one_file_fails_the_step()
    {
        var files = new InFlight();
        var stopped = await ConcurrentFiles.RunAsync(Enumerable.Range(0, 100), 2, Go,
            (file, ct) => files.WorkAsync(file, ct, file == 5 ? FileWorkStop.Failed : FileWorkStop.None), CancellationToken.None);
        Assert.Equal(FileWorkStop.Failed, stopped);
        Assert.InRange(files.Finished.Count, 6, 8);
    }
}
