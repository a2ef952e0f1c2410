using Bus.Api;
using Bus.Fixity;
using Bus.Deletion;
using Bus.Host.Consumers;
using Bus.Ingest;
using MassTransit;
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
        new("fixity", "sweeps for copies due a fixity check, checks each (stream + sha256) and repairs damaged copies from a good one",
            (services, configuration) => services.AddBusFixity(configuration).AddFixitySweep(),
            x => x.AddFixityCheck(saga => saga.PostgresRepository())),
        new("scheduler", "sends due scheduled messages (timeouts, redeliveries) and cleans old inbox/outbox rows",
            (services, _) => services.AddBusScheduler(), _ => { }),
        new("deletion", "two-person deletion: the deletion saga and its delete-item step (expiry needs the scheduler role running somewhere)",
            (services, configuration) => services.AddDeletionRole(configuration), x => x.AddDeletionSagas(r => r.PostgresRepository())),
        new("api", "the HTTP API under /api/v1 (tokens or JWT, one policy table) with /openapi/v1.json and a reference page at /scalar/v1",
            (services, configuration) => services.AddBusApi(configuration), _ => { }, app => app.MapBusApi()),
    ];

    public static IEnumerable<string> Names => All.Select(r => r.Name);
}
