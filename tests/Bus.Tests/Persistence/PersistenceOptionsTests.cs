using Bus.Persistence;

namespace Bus.Tests.Persistence;

public sealed class PersistenceOptionsTests
{
    [Fact]
    public void Should_accept_the_defaults() => Assert.Empty(new PersistenceOptions().Validate());

    [Fact]
    public void Should_name_the_bad_key()
    {
        var errors = new PersistenceOptions { InboxRetention = TimeSpan.Zero, OutboxBatchSize = 0 }.Validate().Select(e => e.Key).ToList();
        Assert.Equal([nameof(PersistenceOptions.InboxRetention), nameof(PersistenceOptions.OutboxBatchSize)], errors);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(128L * 1024 * 1024)]
    public void Should_refuse_an_outbox_message_bound_outside_what_the_broker_takes(long bytes)
    {
        var error = Assert.Single(new PersistenceOptions { OutboxMaxMessageBytes = bytes }.Validate());
        Assert.Equal(nameof(PersistenceOptions.OutboxMaxMessageBytes), error.Key);
        Assert.Contains("128 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_no_attempts_and_no_retry_delay()
    {
        var errors = new PersistenceOptions { OutboxMaxAttempts = 0, OutboxRetryDelay = TimeSpan.Zero }.Validate().Select(e => e.Key).ToList();
        Assert.Equal([nameof(PersistenceOptions.OutboxMaxAttempts), nameof(PersistenceOptions.OutboxRetryDelay)], errors);
    }
}
