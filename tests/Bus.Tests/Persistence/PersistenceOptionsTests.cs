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
}
