using Bus.Persistence.Outbox;

namespace Bus.Tests.Persistence;

public sealed class OutboxDeliveryScopeTests
{
    [Theory]
    [InlineData("rabbitmq://127.0.0.1:5673/test-abc/vm_bushost_x?temporary=true&durable=false", "rabbitmq://127.0.0.1:5673/test-abc/")]
    [InlineData("rabbitmq://127.0.0.1:5673/bus/vm_bushost_x", "rabbitmq://127.0.0.1:5673/bus/")]
    // The default vhost: the broker itself, so every vhost's groups still match (the old behaviour).
    [InlineData("rabbitmq://127.0.0.1:5673/vm_bushost_x?temporary=true", "rabbitmq://127.0.0.1:5673/")]
    public void Should_scope_delivery_to_the_bus_virtual_host(string busAddress, string expected) =>
        Assert.Equal(expected, OutboxDeliveryService.BrokerScope(new Uri(busAddress)));

    [Fact]
    public void Should_not_match_a_destination_in_another_virtual_host()
    {
        var scope = OutboxDeliveryService.BrokerScope(new Uri("rabbitmq://127.0.0.1:5673/test-abc/vm_bushost_x"));
        Assert.StartsWith(scope, "rabbitmq://127.0.0.1:5673/test-abc/ingest-unpack?bind=true", StringComparison.Ordinal);
        Assert.False("rabbitmq://127.0.0.1:5673/test-abd/ingest-unpack?bind=true".StartsWith(scope, StringComparison.Ordinal));
    }
}
