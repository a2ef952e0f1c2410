using Bus.Persistence;
using Bus.Persistence.Transactions;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bus.Tests.Persistence;

/// <summary>
/// A message consumed while PostgreSQL restarts meets "starting up" or a refused connection for longer than the quick
/// retries last (make bench-chaos put such messages into ingest-state_error). It must wait for the database and then be
/// consumed; contention errors keep their quick, bounded retries.
/// </summary>
public sealed class When_the_database_is_unavailable_for_a_while
{
    public sealed record Work(Guid Id);

    /// <summary>Fails its first <see cref="Failures"/> attempts with <see cref="Error"/>, wrapped as the outbox and saga repository wrap it.</summary>
    public sealed class FlakyConsumer : IConsumer<Work>
    {
        internal static int Failures;
        internal static Func<Exception> Error = () => new InvalidOperationException();
        internal static int Attempts;
        internal static TaskCompletionSource Succeeded = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Consume(ConsumeContext<Work> context)
        {
            if (Interlocked.Increment(ref Attempts) <= Failures)
                throw new DatabaseTransientException("Transient database error handling Work", Error());
            Succeeded.TrySetResult();
            return Task.CompletedTask;
        }
    }

    private static async Task<(bool Consumed, bool Faulted, int Attempts)> RunAsync(int failures, Func<Exception> error, PersistenceOptions options)
    {
        (FlakyConsumer.Failures, FlakyConsumer.Error, FlakyConsumer.Attempts) = (failures, error, 0);
        FlakyConsumer.Succeeded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<FlakyConsumer>();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDatabaseRetries(options);
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        // The retry waits are quiet seconds: the harness must not take them for the end of the test.
        harness.TestTimeout = TimeSpan.FromSeconds(60);
        harness.TestInactivityTimeout = TimeSpan.FromSeconds(60);
        await harness.Start();
        await harness.Bus.Publish(new Work(Guid.NewGuid()));
        var faulted = harness.Published.Any<Fault<Work>>();
        await Task.WhenAny(FlakyConsumer.Succeeded.Task, faulted);
        return (FlakyConsumer.Succeeded.Task.IsCompleted, faulted.IsCompletedSuccessfully && faulted.Result, FlakyConsumer.Attempts);
    }

    [Fact]
    public async Task A_message_waits_for_a_restarting_database_past_the_quick_retries()
    {
        // Quick retries would make two attempts; the database "starts up" for two attempts, then answers (waits 1, 2 s).
        var options = new PersistenceOptions { TransientRetryLimit = 1, DatabaseOutageRetrySeconds = 3 };
        var (consumed, faulted, attempts) = await RunAsync(2, () => new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03"), options);
        Assert.True(consumed, $"not consumed after {attempts} attempts");
        Assert.False(faulted);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task A_refused_connection_is_waited_out_too()
    {
        var options = new PersistenceOptions { TransientRetryLimit = 1, DatabaseOutageRetrySeconds = 3 };
        var (consumed, faulted, _) = await RunAsync(2, () => new NpgsqlException("Failed to connect to 127.0.0.1:5433", new System.Net.Sockets.SocketException(111)), options);
        Assert.True(consumed);
        Assert.False(faulted);
    }

    [Fact]
    public async Task A_deadlock_keeps_its_quick_bounded_retries()
    {
        var options = new PersistenceOptions { TransientRetryLimit = 2, DatabaseOutageRetrySeconds = 3 };
        var (consumed, faulted, attempts) = await RunAsync(100, () => new PostgresException("deadlock detected", "ERROR", "ERROR", "40P01"), options);
        Assert.False(consumed);
        Assert.True(faulted);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public void The_waits_double_to_thirty_seconds_within_the_limit() =>
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30, 30], new PersistenceOptions { DatabaseOutageRetrySeconds = 180 }.DatabaseOutageRetryIntervals.Select(t => (int)t.TotalSeconds));
}
