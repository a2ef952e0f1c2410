using Bus.Workflows.Coordination;
using Bus.Platform.Options;
using Npgsql;

namespace Bus.IntegrationTests.Deletion;

public sealed class When_two_workflows_race_for_an_item_lock
{
    [Fact]
    public async Task Exactly_one_wins_the_winner_may_ask_again_and_release_frees_it()
    {
        await using var dataSource = NpgsqlDataSource.Create(new PostgresOptions().ConnectionString);
        // The table as the migrations make it, by the owner role: the runtime role may not create tables.
        await using (var owner = NpgsqlDataSource.Create(new PostgresOptions().MigrationConnectionString))
        await using (var create = owner.CreateCommand(PostgresItemLocks.CreateTableSql))
            await create.ExecuteNonQueryAsync();
        var locks = new PostgresItemLocks(dataSource);
        var item = $"race{Guid.NewGuid():N}.test.edu/bag";
        var owners = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToList();

        var results = await Task.WhenAll(owners.Select((o, i) =>
            locks.TryAcquireAsync(item, i % 2 == 0 ? ItemLockKinds.Ingest : ItemLockKinds.Deletion, o)));

        var winner = Assert.Single(results, r => r.Acquired).Holder;
        Assert.All(results, r => Assert.Equal(winner.Owner, r.Holder.Owner));
        Assert.True((await locks.TryAcquireAsync(item, winner.Kind, winner.Owner)).Acquired);

        await locks.ReleaseAsync(item, owners.First(o => o != winner.Owner));
        Assert.Equal(winner.Owner, (await locks.FindAsync(item))?.Owner);
        await locks.ReleaseAsync(item, winner.Owner);
        Assert.Null(await locks.FindAsync(item));
    }
}
