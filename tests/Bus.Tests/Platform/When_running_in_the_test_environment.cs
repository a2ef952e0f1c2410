using Bus.Platform.Options;

namespace Bus.Tests.Platform;

public class When_running_in_the_test_environment
{
    [Theory]
    [InlineData("rabbit.example.org")]
    [InlineData("10.0.0.5")]
    public void Should_refuse_a_rabbitmq_host_that_is_not_loopback(string host)
    {
        var errors = BusOptionsValidator<RabbitMqOptions>.Check(new RabbitMqOptions { Host = host }, "Test").ToList();
        Assert.Equal($"Bus:RabbitMq points at '{host}', but the Test environment only allows loopback endpoints", Assert.Single(errors));
    }

    [Fact]
    public void Should_refuse_a_remote_database()
    {
        var options = new PostgresOptions { ConnectionString = "Host=db.example.org;Database=bus;Username=bus" };
        Assert.Single(BusOptionsValidator<PostgresOptions>.Check(options, "Test"));
    }

    [Fact]
    public void Should_refuse_a_remote_s3_server()
    {
        var options = new StorageOptions { ServiceUrl = "https://s3.example.org" };
        Assert.Single(BusOptionsValidator<StorageOptions>.Check(options, "Test"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("::1")]
    [InlineData("127.0.0.2")]
    public void Should_accept_loopback(string host) =>
        Assert.Empty(BusOptionsValidator<RabbitMqOptions>.Check(new RabbitMqOptions { Host = host }, "Test"));

    [Fact]
    public void Should_allow_remote_endpoints_outside_test() =>
        Assert.Empty(BusOptionsValidator<RabbitMqOptions>.Check(new RabbitMqOptions { Host = "rabbit.example.org", Password = "a-real-secret" }, "Production"));
}
