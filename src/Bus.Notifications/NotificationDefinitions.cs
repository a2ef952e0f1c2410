using Bus.Notifications.Delivery;
using Bus.Notifications.Dispatch;
using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Notifications;

/// <summary>
/// The notify endpoints: the workflow kit's step rule (transient database or broker errors retried, then redelivered
/// through the PostgreSQL scheduler) and the PostgreSQL outbox. A receiver's failure is not an error here: the
/// delivery consumer records it and schedules the next attempt itself.
/// </summary>
internal static class NotifyEndpointPolicy
{
    public static readonly StepFailurePolicy Policy = new(e => TransientErrors.IsTransient(e), RetryLimit: 5,
        RedeliveryIntervals: [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)]);
}

public sealed class DispatchAlertsConsumerDefinition : ConsumerDefinition<DispatchAlertsConsumer>
{
    public DispatchAlertsConsumerDefinition()
    {
        EndpointName = NotificationEndpoints.Dispatch;
        // One look at a time per host: looks only compete for the same alerts.
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<DispatchAlertsConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, NotifyEndpointPolicy.Policy);
}

public sealed class WorkflowEventsConsumerDefinition : ConsumerDefinition<WorkflowEventsConsumer>
{
    public WorkflowEventsConsumerDefinition()
    {
        EndpointName = NotificationEndpoints.Events;
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<WorkflowEventsConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, NotifyEndpointPolicy.Policy);
}

public sealed class DeliverNotificationConsumerDefinition : ConsumerDefinition<DeliverNotificationConsumer>
{
    public DeliverNotificationConsumerDefinition(IOptions<NotificationOptions> options)
    {
        EndpointName = NotificationEndpoints.Deliver;
        // Each attempt holds a database connection for at most RequestTimeout: this bounds both per host.
        ConcurrentMessageLimit = options.Value.ConcurrentDeliveries;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<DeliverNotificationConsumer> consumerConfigurator, IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.PrefetchCount = (ushort)ConcurrentMessageLimit!.Value;
        endpointConfigurator.UseWorkflowStepPolicy(context, NotifyEndpointPolicy.Policy);
    }
}
