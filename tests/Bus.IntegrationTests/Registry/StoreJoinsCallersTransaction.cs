using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Store;
using Microsoft.EntityFrameworkCore;

namespace Bus.IntegrationTests.Registry;

public sealed class StoreJoinsCallersTransaction
{
    [Fact]
    public async Task Writes_on_the_callers_transaction_disappear_when_it_rolls_back_and_persist_when_it_commits()
    {
        await using var t = await TestInstitution.CreateAsync();
        await using var connection = await RegistryTestDatabase.OpenAsync();

        await using (var rolledBack = await connection.BeginTransactionAsync())
        {
            var store = new RegistryStore(connection, rolledBack);
            var obj = await store.UpsertObjectAsync(t.Bag("rolled-back"));
            await store.AddEventsAsync([new EventRecord(Guid.NewGuid(), obj.Id, null, obj.Identifier, EventTypes.Creation, DateTimeOffset.UtcNow, Outcomes.Success, "x", null, "bus")]);
            // An EF context on the same connection and transaction sees the uncommitted row.
            await using var db = await RegistryDbContext.OnConnection(connection, rolledBack);
            Assert.True(await db.Objects.AnyAsync(o => o.Identifier == obj.Identifier));
            await rolledBack.RollbackAsync();
        }
        Assert.Null(await t.Store.FindObjectAsync($"{t.Identifier}/rolled-back"));

        await using (var committed = await connection.BeginTransactionAsync())
        {
            await using var db = await RegistryDbContext.OnConnection(connection, committed);
            db.Alerts.Add(new Alert { Id = Guid.NewGuid(), Kind = AlertKinds.Lost, Identifier = t.Identifier, Message = "via EF" });
            await db.SaveChangesAsync();
            await new RegistryStore(connection, committed).UpsertObjectAsync(t.Bag("committed"));
            await committed.CommitAsync();
        }
        Assert.NotNull(await t.Store.FindObjectAsync($"{t.Identifier}/committed"));
        Assert.Equal(1, await t.CountAsync("SELECT count(*) FROM registry.alerts WHERE identifier = @i AND message = 'via EF' AND created_at > now() - interval '1 hour'", ("i", t.Identifier)));
    }
}
