using MassTransit;

namespace Bus.Host.Roles;

/// <summary>
/// A slice of Bus one host process can run: its services and its consumers/sagas. Any number of
/// processes may run the same role; they compete on its queues. A role may also answer HTTP on the
/// host's listener (<see cref="MapEndpoints"/>).
/// </summary>
public sealed record HostRole(
    string Name,
    string Description,
    Action<IServiceCollection, IConfiguration> AddServices,
    Action<IBusRegistrationConfigurator> AddConsumers,
    Action<WebApplication>? MapEndpoints = null);
