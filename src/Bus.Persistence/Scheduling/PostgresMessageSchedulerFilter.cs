using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using Npgsql;

namespace Bus.Persistence.Scheduling;

/// <summary>
/// Gives every consumed message a <see cref="MessageSchedulerContext"/> backed by PostgreSQL. Added at
/// bus level so it runs before the outbox, which then rebinds it to the outbox context.
/// </summary>
internal sealed class PostgresMessageSchedulerFilter(NpgsqlDataSource dataSource, string virtualHost) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context, CreateScheduler));
        return next.Send(context);
    }

    private IMessageScheduler CreateScheduler(ConsumeContext context) =>
        new MessageScheduler(
            new PostgresScheduleMessageProvider(context, PostgresScheduleMessageProvider.TransportOf(context), dataSource, virtualHost),
            context.GetPayload<IBusTopology>());

    public void Probe(ProbeContext context) => context.CreateFilterScope("postgresMessageScheduler");
}
