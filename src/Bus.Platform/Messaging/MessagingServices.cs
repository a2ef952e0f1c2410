using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Platform.Messaging;

public static class MessagingServices
{
    /// <summary>
    /// MassTransit on the configured RabbitMQ. Modules add their consumers and sagas through
    /// <paramref name="configure"/>; endpoint names are kebab-case from the consumer names.
    /// Never the delayed-exchange features: RabbitMQ here has no x-delayed-message plugin.
    /// </summary>
    public static IServiceCollection AddBusMessaging(this IServiceCollection services,
        Action<IBusRegistrationConfigurator>? configure = null,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureBus = null)
    {
        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure?.Invoke(x);
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    QuorumQueues.Configure(rabbit, context.GetRequiredService<IOptions<RabbitMqOptions>>().Value);
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                var o = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, h =>
                {
                    h.Username(o.Username);
                    h.Password(o.Password);
                    h.PublisherConfirmation = true;
                    RabbitMqTls.Configure(h, o);
                });
                cfg.PrefetchCount = o.PrefetchCount;
                // Every message this process sends says (and RabbitMQ verifies) which broker user sent it.
                cfg.ConfigureSend(s => s.UseExecute(c => BrokerIdentity.Stamp(c, o.Username)));
                cfg.ConfigurePublish(s => s.UseExecute(c => BrokerIdentity.Stamp(c, o.Username)));
                cfg.UseConsumeFilter(typeof(LogScopeFilter<>), context);
                configureBus?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        return services;
    }
}
