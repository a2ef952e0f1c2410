using Bus.Persistence.Transactions;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;
using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bus.Persistence.Sagas;

/// <summary>
/// MassTransit's entry into the saga table (scoped, one per message). Joins the message's outbox
/// transaction when the endpoint has one, otherwise runs its own ReadCommitted transaction.
/// Transient database errors leave as <see cref="DatabaseTransientException"/>, which the bus retries.
/// </summary>
internal sealed class PostgresSagaRepositoryContextFactory<TSaga> :
    ISagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, SagaStateMachineInstance
{
    private readonly MessageTransaction _transaction;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _consumeContextFactory;
    private readonly PostgresSagaSettings<TSaga> _settings;
    // Recorded with each transition, so a tool serving one virtual host (the watchdog) can tell its sagas from another's.
    private readonly string? _virtualHost;

    public PostgresSagaRepositoryContextFactory(MessageTransaction transaction, NpgsqlDataSource dataSource,
        ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory, PostgresSagaSettings<TSaga> settings, IServiceProvider provider)
    {
        _transaction = transaction;
        _dataSource = dataSource;
        _consumeContextFactory = consumeContextFactory;
        _settings = settings;
        _virtualHost = (provider.GetService(typeof(IOptions<RabbitMqOptions>)) as IOptions<RabbitMqOptions>)?.Value.VirtualHost;
        TransitionRecorder<TSaga>.EnsureConnected(provider);
    }

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next) where T : class =>
        InTransaction(async () =>
        {
            await using var db = await SagaDbContext<TSaga>.OnTransactionAsync(_transaction, context.CancellationToken);
            var repository = new PostgresSagaRepositoryContext<TSaga, T>(db, _transaction, context, _consumeContextFactory, _settings, _virtualHost);
            // The outbox left the inbox claim to be sent with this saga's row lock (one round trip).
            if (_transaction.TakePendingClaim() is { } claim)
            {
                if (context.CorrelationId is { } id) await repository.ClaimAndLockAsync(claim, id);
                else await claim.ExecuteAsync(_transaction, context.CancellationToken);
                if (claim.Duplicate) return;
            }
            await next.Send(repository);
        }, context.CancellationToken);

    /// <summary>
    /// CorrelateBy: find the matching ids, then lock them in id order (a fixed order, so two messages
    /// matching the same instances cannot deadlock) and hand MassTransit the locked rows.
    /// </summary>
    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next) where T : class =>
        InTransaction(async () =>
        {
            await using var db = await SagaDbContext<TSaga>.OnTransactionAsync(_transaction, context.CancellationToken);
            var repository = new PostgresSagaRepositoryContext<TSaga, T>(db, _transaction, context, _consumeContextFactory, _settings, _virtualHost);
            if (_transaction.TakePendingClaim() is { } claim)
            {
                await claim.ExecuteAsync(_transaction, context.CancellationToken);
                if (claim.Duplicate) return;
            }
            var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression)
                .Select(x => x.CorrelationId).OrderBy(x => x).ToListAsync(context.CancellationToken);
            var instances = new List<TSaga>();
            foreach (var id in ids)
                if (await repository.LockAsync(id) is { } instance && query.FilterExpression.Compile()(instance))
                    instances.Add(instance);
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repository, instances));
        }, context.CancellationToken);

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default) where T : class =>
        ExecuteReadOnly(context => asyncMethod(context), cancellationToken);

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default) where T : class =>
        ExecuteReadOnly(context => asyncMethod(context), cancellationToken);

    private async Task<T> ExecuteReadOnly<T>(Func<ReadOnlyContext, Task<T>> method, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var db = SagaDbContext<TSaga>.OnConnection(connection);
        return await method(new ReadOnlyContext(db, cancellationToken));
    }

    private async Task InTransaction(Func<Task> body, CancellationToken cancellationToken)
    {
        var owned = !_transaction.IsActive;
        try
        {
            if (owned) await _transaction.BeginAsync(cancellationToken);
            await body();
            if (owned) await _transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not DatabaseTransientException && TransientDatabaseErrors.IsTransient(e))
        {
            throw new DatabaseTransientException($"Transient database error on {typeof(TSaga).Name}: {e.Message}", e);
        }
        finally
        {
            if (owned) await _transaction.EndAsync();
        }
    }

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "postgresql");
        context.Add("table", SagaDbContext<TSaga>.Map.TableName);
        context.Add("concurrency", _settings.ConcurrencyMode.ToString());
    }

    private sealed class ReadOnlyContext(SagaDbContext<TSaga> db, CancellationToken cancellationToken)
        : BasePipeContext(cancellationToken), LoadSagaRepositoryContext<TSaga>, QuerySagaRepositoryContext<TSaga>
    {
        public async Task<TSaga> Load(Guid correlationId) =>
            (await db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken))!;

        public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
        {
            var ids = await db.Set<TSaga>().AsNoTracking().Where(query.FilterExpression).Select(x => x.CorrelationId).ToListAsync(cancellationToken);
            return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
        }
    }
}
