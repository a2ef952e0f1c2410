using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bus.Persistence.Sagas;

/// <summary>
/// What every Bus state machine does with an event its current state does not accept: acknowledge it
/// and log it as stale. Such an event is a late or repeated report about a step the saga has moved past
/// (a step command run twice, a report that crossed a cancel); MassTransit's default, an
/// UnhandledEventException, would fault it into <c>&lt;queue&gt;_error</c>, where an operator must
/// judge a message that needs nothing. States that must answer or act on an event say so with
/// <c>During(...When(...))</c>; this only replaces the fault.
/// </summary>
public static class StaleEvents
{
    public static Task Ignore<TSaga>(UnhandledEventContext<TSaga> context) where TSaga : class, SagaStateMachineInstance
    {
        var logger = context.TryGetPayload(out IServiceProvider? services)
            ? services.GetService<ILoggerFactory>()?.CreateLogger("Bus.Persistence.Sagas.StaleEvents") ?? NullLogger.Instance
            : NullLogger.Instance;
        logger.LogInformation("Stale event {Event} for {Saga} {CorrelationId} in state {State} acknowledged and ignored (message {MessageId})",
            context.Event.Name, TypeCache<TSaga>.ShortName, context.Saga.CorrelationId, context.CurrentState.Name, context.MessageId);
        return context.Ignore();
    }
}
