using Bus.Platform.Database;

namespace Bus.Tests.Platform;

public class When_names_are_mapped_to_snake_case
{
    [Theory]
    [InlineData("CorrelationId", "correlation_id")]
    [InlineData("CurrentState", "current_state")]
    [InlineData("Sha256Digest", "sha256_digest")]
    [InlineData("PKIngest", "pk_ingest")]
    [InlineData("already_snake", "already_snake")]
    public void Should_give_readable_column_names(string name, string expected) =>
        Assert.Equal(expected, SnakeCaseNames.ToSnakeCase(name));
}
