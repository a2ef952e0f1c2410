using Bus.Ingest.Data;

namespace Bus.Tests.Ingest;

/// <summary>Store's and Verify's per-copy marks go to the database in batches, bounded so a crash re-does little.</summary>
public sealed class When_copy_marks_are_written
{
    private readonly List<IReadOnlyList<CopyMark>> _writes = [];

    private CopyMarks Marks() => new((marks, _) =>
    {
        lock (_writes) _writes.Add(marks);
        return Task.CompletedTask;
    });

    [Fact]
    public async Task A_small_bags_copies_are_marked_in_one_statement_when_the_step_stops()
    {
        using var marks = Marks();
        for (var i = 0; i < 9; i++)
        {
            await marks.AddAsync(new CopyMark($"data/{i}", "primary", $"etag-{i}"), 4096);
            await marks.AddAsync(new CopyMark($"data/{i}", "replica", $"etag-{i}"), 4096);
        }
        Assert.Empty(_writes);

        await marks.FlushAsync();

        var write = Assert.Single(_writes);
        Assert.Equal(18, write.Count);
        Assert.Contains(new CopyMark("data/8", "replica", "etag-8"), write);
        await marks.FlushAsync();
        Assert.Single(_writes);
    }

    [Fact]
    public async Task No_more_than_a_batch_of_small_copies_waits_unmarked()
    {
        using var marks = Marks();
        for (var i = 0; i < CopyMarks.MaxMarks * 2 + 1; i++) await marks.AddAsync(new CopyMark($"f{i}", "primary", null), 1);

        Assert.Equal([CopyMarks.MaxMarks, CopyMarks.MaxMarks], _writes.Select(w => w.Count));
        await marks.FlushAsync();
        Assert.Single(_writes[^1]);
    }

    [Fact]
    public async Task Large_copies_are_marked_before_their_bytes_add_up()
    {
        using var marks = Marks();
        await marks.AddAsync(new CopyMark("a", "primary", "e1"), CopyMarks.MaxBytes / 2);
        Assert.Empty(_writes);

        await marks.AddAsync(new CopyMark("b", "primary", "e2"), CopyMarks.MaxBytes / 2);

        Assert.Equal(2, Assert.Single(_writes).Count);
    }

    [Fact]
    public async Task Workers_adding_at_once_lose_no_mark_and_write_one_batch_at_a_time()
    {
        var writing = 0;
        var overlapped = false;
        var written = new List<CopyMark>();
        using var marks = new CopyMarks(async (batch, _) =>
        {
            if (Interlocked.Increment(ref writing) > 1) overlapped = true;
            await Task.Yield();
            lock (written) written.AddRange(batch);
            Interlocked.Decrement(ref writing);
        });

        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => await marks.AddAsync(new CopyMark($"f{i}", i % 2 == 0 ? "primary" : "replica", null), 1));
        await marks.FlushAsync();

        Assert.False(overlapped);
        Assert.Equal(1000, written.Select(m => m.Path).Distinct().Count());
    }
}
