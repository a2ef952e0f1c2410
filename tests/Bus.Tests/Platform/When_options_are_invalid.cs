using Bus.Host;
using Bus.Platform.Options;

namespace Bus.Tests.Platform;

public class When_options_are_invalid
{
    private static List<string> Check<T>(T options, string environment = "Development") where T : class, IBusOptions =>
        BusOptionsValidator<T>.Check(options, environment).ToList();

    [Fact]
    public void Production_refuses_the_local_stacks_default_and_empty_passwords_naming_each_key()
    {
        Assert.Equal(["Bus:RabbitMq:Password is a default password: set a real secret in Production (or DOTNET_ENVIRONMENT=Development for the local stack)"],
            Check(new RabbitMqOptions(), "Production"));
        Assert.StartsWith("Bus:RabbitMq:Password is empty", Assert.Single(Check(new RabbitMqOptions { Password = "" }, "Production")));
        Assert.StartsWith("Bus:Postgres:ConnectionString Password is a default password", Assert.Single(Check(new PostgresOptions(), "Production")));
        Assert.StartsWith("Bus:Postgres:ConnectionString Password is empty",
            Assert.Single(Check(new PostgresOptions { ConnectionString = "Host=db;Database=bus;Username=bus;SSL Mode=Require" }, "Production")));
        Assert.StartsWith("Bus:Storage:SecretKey is a default password", Assert.Single(Check(new StorageOptions(), "Production")));
    }

    [Fact]
    public void Production_accepts_real_secrets_and_other_environments_accept_the_defaults()
    {
        Assert.Empty(Check(new RabbitMqOptions { Password = "s3cr3t-long" }, "Production"));
        Assert.Empty(Check(new PostgresOptions { ConnectionString = "Host=db;Database=bus;Username=bus_app;Password=s3cr3t-long;SSL Mode=VerifyFull" }, "Production"));
        Assert.Empty(Check(new StorageOptions { SecretKey = "s3cr3t-long" }, "Production"));
        Assert.Empty(Check(new RabbitMqOptions(), "Development"));
        Assert.Empty(Check(new StorageOptions()));
    }

    [Fact]
    public void Should_name_the_full_key_of_a_bad_rabbitmq_port()
    {
        var errors = Check(new RabbitMqOptions { Port = 0 });
        Assert.Equal("Bus:RabbitMq:Port must be a TCP port 1-65535 (got 0)", Assert.Single(errors));
    }

    [Fact]
    public void Should_reject_an_unparseable_connection_string()
    {
        var errors = Check(new PostgresOptions { ConnectionString = "Hots=nowhere;;=" });
        Assert.StartsWith("Bus:Postgres:ConnectionString is not a valid Npgsql connection string", Assert.Single(errors));
    }

    [Fact]
    public void Should_reject_an_invalid_bucket_name()
    {
        var errors = Check(new StorageOptions { StagingBucket = "Bad_Bucket" });
        Assert.Contains(errors, e => e.StartsWith("Bus:Storage:StagingBucket 'Bad_Bucket' is not a valid S3 bucket name", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_refuse_one_bucket_for_both_copies_of_an_option()
    {
        var storage = new StorageOptions();
        storage.Options["Standard"] = new StorageOptionDefinition
        {
            Copies =
            [
                new StorageCopyTarget { Name = "hot", Bucket = "bus-preservation-va", Region = "va" },
                new StorageCopyTarget { Name = "cold", Bucket = "bus-preservation-va", Region = "or", StorageClass = "GLACIER" },
            ],
        };
        var errors = Check(storage);
        Assert.Equal("Bus:Storage:Options:Standard:Copies puts two copies in bucket 'bus-preservation-va': each copy of a file needs a bucket of its own", Assert.Single(errors));
    }

    [Fact]
    public void Should_reject_a_service_url_that_is_not_http()
    {
        var errors = Check(new StorageOptions { ServiceUrl = "ftp://127.0.0.1" });
        Assert.Contains(errors, e => e.StartsWith("Bus:Storage:ServiceUrl must be an absolute http(s) URL", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_name_an_unknown_host_role()
    {
        var errors = Check(new BusHostOptions { Roles = "diagnostics,frobnicate" });
        Assert.Contains(errors, e => e.StartsWith("Bus:Host:Roles has unknown role(s) frobnicate", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_accept_the_defaults()
    {
        Assert.Empty(Check(new RabbitMqOptions()));
        Assert.Empty(Check(new PostgresOptions()));
        Assert.Empty(Check(new StorageOptions()));
        Assert.Empty(Check(new BusHostOptions()));
    }
}
