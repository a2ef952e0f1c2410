using System.Text.Json;
using Bus.Contracts.Fixity;
using Bus.IntegrationTests.Registry;
using Bus.IntegrationTests.Support;
using Bus.Workflows.Coordination;
using Npgsql;

namespace Bus.IntegrationTests.Fixity;

/// <summary>
/// A deletion holds the object's item lock (it may be removing the copies right now): a fixity check that
/// finds a copy missing must not write it back from the other copy, nor raise an alert. The check ends deferred.
/// </summary>
public class When_a_damaged_copy_belongs_to_an_item_being_deleted
{
    [Fact]
    public async Task No_copy_is_written_and_the_check_is_deferred()
    {
        await using var stack = await FixityStack.CreateAsync();
        var file = await stack.PreserveAsync("being-deleted.bin");
        var objectIdentifier = file.Identifier[..file.Identifier.IndexOf("/data/", StringComparison.Ordinal)];
        await using var data = NpgsqlDataSource.Create(RegistryTestDatabase.ConnectionString);
        var locks = new PostgresItemLocks(data);
        var deletion = Guid.NewGuid();
        Assert.True((await locks.TryAcquireAsync(objectIdentifier, ItemLockKinds.Deletion, deletion)).Acquired);
        try
        {
            await stack.S3.DeleteObjectAsync(FixityStack.Primary, file.Key);
            var asAdmin = await stack.StartHostWithApiAsync();

            await using var busctl = await ExternalProcess.RunAsync(RepoPaths.Busctl,
                ["fixity", "check", "--file", file.Identifier, "--wait", "--json"], asAdmin, TimeSpan.FromMinutes(3));

            using var result = JsonDocument.Parse(busctl.Stdout);
            var checks = result.RootElement.GetProperty("checks").EnumerateArray()
                .ToDictionary(c => c.GetProperty("bucket").GetString()!, c => (Outcome: c.GetProperty("outcome").GetString(), Detail: c.GetProperty("detail").GetString()));
            Assert.Equal(FixityOutcomes.Deferred, checks[FixityStack.Primary].Outcome);
            Assert.Contains($"deletion {deletion}", checks[FixityStack.Primary].Detail, StringComparison.Ordinal);
            Assert.Equal(FixityOutcomes.Intact, checks[FixityStack.Replica].Outcome);
            Assert.Null(await stack.GetAsync(FixityStack.Primary, file.Key));
            Assert.Empty(await stack.AlertKindsAsync(file));
            Assert.Equal(deletion, (await locks.FindAsync(objectIdentifier))!.Owner);
        }
        finally
        {
            await locks.ReleaseAsync(objectIdentifier, deletion);
        }
    }
}
