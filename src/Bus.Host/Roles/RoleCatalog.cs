using Bus.Host.Consumers;
using Bus.Ingest;
using Bus.Persistence;

namespace Bus.Host.Roles;

/// <summary>Every role a host can run. Modules add theirs here as they arrive.</summary>
public static class RoleCatalog
{
    public static readonly IReadOnlyList<HostRole> All =
    [
        new("diagnostics", "answers Ping so operators and tests can prove the bus end to end",
            (_, _) => { }, x => x.AddConsumer<PingConsumer>()),
        new("ingest", "the ingest saga and its step consumers: unpack, validate, identify, store, verify, record, cleanup, compensate",
            (services, configuration) => services.AddBusIngest(configuration), x => x.AddIngest()),
        new("scheduler", "sends due scheduled messages (timeouts, redeliveries) and cleans old inbox/outbox rows",
            (services, _) => services.AddBusScheduler(), _ => { }),
    ];

    public static IEnumerable<string> Names => All.Select(r => r.Name);
}
