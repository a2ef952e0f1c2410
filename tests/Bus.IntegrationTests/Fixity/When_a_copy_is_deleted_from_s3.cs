using System.Text.Json;
using Bus.Contracts.Fixity;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Fixity;

public class When_a_copy_is_deleted_from_s3
{
    [Fact]
    public async Task Should_restore_it_when_busctl_checks_the_file()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveAsync("deleted.bin");
        await stack.S3.DeleteObjectAsync(FixityStack.Primary, file.Key);
        var asAdmin = await stack.StartHostWithApiAsync();

        await using var busctl = await ExternalProcess.RunAsync(RepoPaths.Busctl,
            ["fixity", "check", "--file", file.Identifier, "--wait", "--json"], asAdmin, TimeSpan.FromMinutes(3));

        Assert.True(busctl.ExitCode == 0, busctl.Stderr + busctl.Stdout);
        using var result = JsonDocument.Parse(busctl.Stdout);
        Assert.True(result.RootElement.GetProperty("allGood").GetBoolean());
        var outcomes = result.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("bucket").GetString()!, c => c.GetProperty("outcome").GetString());
        Assert.Equal(FixityOutcomes.Repaired, outcomes[FixityStack.Primary]);
        Assert.Equal(FixityOutcomes.Intact, outcomes[FixityStack.Replica]);
        Assert.Equal(file.Content, await stack.GetAsync(FixityStack.Primary, file.Key));
    }
}
