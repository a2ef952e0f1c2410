using Bus.Notifications.Data;
using Bus.Notifications.Delivery;
using Bus.Notifications.Dispatch;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry;

using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bus.Notifications;

public static class NotificationServices
{
    /// <summary>
    /// The notify role's services: options (validated at start-up), routing, the two channels, the alert look's ticker
    /// and the notification tables' migrations. The consumers are added with <see cref="AddNotifications(IBusRegistrationConfigurator)"/>.
    /// </summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<NotificationOptions>(configuration);
        services.AddBusDataSource();
        services.AddBusRegistry();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NotificationRouting>();
        services.TryAddSingleton<NoticeFanOut>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationChannel, WebhookChannel>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationChannel, EmailChannel>());
        services.AddHostedService<AlertDispatchTicker>();
        services.AddNotificationsDatabase();
        return services;
    }

    /// <summary>Only the notification tables' migrations (busctl db migrate).</summary>
    public static IServiceCollection AddNotificationsDatabase(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, NotificationsDatabaseModule>());
        return services;
    }

    public static IBusRegistrationConfigurator AddNotifications(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<DispatchAlertsConsumer, DispatchAlertsConsumerDefinition>();
        x.AddConsumer<WorkflowEventsConsumer, WorkflowEventsConsumerDefinition>();
        x.AddConsumer<DeliverNotificationConsumer, DeliverNotificationConsumerDefinition>();
        return x;
    }
}
