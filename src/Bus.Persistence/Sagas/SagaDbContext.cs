using System.Reflection;
using Bus.Persistence.Transactions;
using Bus.Platform.Database;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Bus.Persistence.Sagas;

/// <summary>
/// A DbContext holding one saga's map only; the repository creates one per message on the message's
/// connection and transaction. Generic per saga so EF Core builds and caches one small model each.
/// </summary>
internal sealed class SagaDbContext<TSaga>(DbContextOptions<SagaDbContext<TSaga>> options) : DbContext(options)
    where TSaga : class, SagaStateMachineInstance
{
    private static readonly DbContextOptions<SagaDbContext<TSaga>> Options = new DbContextOptionsBuilder<SagaDbContext<TSaga>>()
        .UseNpgsql()
        .ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning))
        .Options;

    internal static readonly SagaMap<TSaga> Map = FindMap();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(Map);
        modelBuilder.UseSnakeCaseNames();
    }

    public static async Task<SagaDbContext<TSaga>> OnTransactionAsync(MessageTransaction transaction, CancellationToken cancellationToken)
    {
        var db = new SagaDbContext<TSaga>(Options);
        // EF wraps SaveChanges on an outside transaction in a savepoint: two extra round trips per
        // message for a rollback the message transaction already gives.
        db.Database.AutoSavepointsEnabled = false;
        return await transaction.EnlistAsync(db, cancellationToken);
    }

    public static SagaDbContext<TSaga> OnConnection(NpgsqlConnection connection)
    {
        var db = new SagaDbContext<TSaga>(Options);
        db.Database.SetDbConnection(connection);
        return db;
    }

    private static SagaMap<TSaga> FindMap()
    {
        var maps = typeof(TSaga).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false } && typeof(SagaMap<TSaga>).IsAssignableFrom(t))
            .ToList();
        if (maps.Count != 1)
            throw new InvalidOperationException(
                $"Expected exactly one SagaMap<{typeof(TSaga).Name}> in {typeof(TSaga).Assembly.GetName().Name}, found {maps.Count}.");
        return (SagaMap<TSaga>)Activator.CreateInstance(maps[0], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, null, null, null)!;
    }
}
