using Bus.Api;
using Bus.Fixity;
using Bus.Deletion;
using Bus.Host.Consumers;
using Bus.Ingest;
using Bus.Notifications;
using MassTransit;
using Bus.Persistence;
using Bus.Restore;
using Bus.Restore.SpotTests;
using Bus.Workflows.Watchdog;
using Bus.Ingest.StateMachines;
using Bus.Fixity.StateMachines;
using Bus.Deletion.StateMachines;
using Bus.Restore.StateMachines;
using Bus.WebConsole;

namespace Bus.Host.Roles;

/// <summary>
/// Every role a host can run. Modules add theirs here as they arrive; a workflow module adds itself the
/// same way: <c>services.AddXWorkflow(configuration)</c> and <c>x.AddXWorkflow()</c>.
/// </summary>
public static class RoleCatalog
{
    public static readonly IReadOnlyList<HostRole> All =
    [
        new("diagnostics", "answers Ping so operators and tests can prove the bus end to end",
            (_, _) => { }, x => x.AddConsumer<PingConsumer>()),
        new("ingest", "the ingest saga and its step consumers: unpack, validate, identify, store, verify, record, cleanup, compensate",
            (services, configuration) => services.AddIngestWorkflow(configuration), x => x.AddIngestWorkflow()),
        new("fixity", "sweeps for copies due a fixity check, checks each (stream + sha256) and repairs damaged copies from a good one",
            (services, configuration) => services.AddFixityWorkflow(configuration), x => x.AddFixityWorkflow()),
        new("scheduler", "sends due scheduled messages (timeouts, redeliveries), cleans old inbox/outbox rows, re-sends the step command of a stalled saga (watchdog) and sweeps for institutions due a restore spot test",
            (services, configuration) => services.AddBusScheduler().AddSagaWatchdog(configuration).AddIngestWatch(configuration)
                .AddFixityWatch(configuration).AddDeletionWatch(configuration).AddRestoreWatch(configuration).AddSpotTestSweep(configuration), _ => { }),
        new("deletion", "two-person deletion: the deletion saga and its deletion-delete-item step (expiry needs the scheduler role running somewhere)",
            (services, configuration) => services.AddDeletionWorkflow(configuration), x => x.AddDeletionWorkflow()),
        new("restore", "restores an object as a BagIt tar or one file into the restore bucket, every byte verified (cold copies are restored and polled; needs the scheduler role somewhere); runs restore spot tests",
            (services, configuration) => { services.AddRestoreWorkflow(configuration); services.AddSpotTestRecords(configuration); },
            x => { x.AddRestoreWorkflow(); x.AddSpotTestWorkflow(); }),
        new("notify", "sends every alert and workflow outcome to the configured webhooks (signed, retried through the scheduler) and email recipients, per institution",
            (services, configuration) => services.AddNotifications(configuration), x => x.AddNotifications()),
        new("api", "the HTTP API under /api/v1 (tokens or JWT, one policy table) with /openapi/v1.json and a reference page at /scalar/v1",
            (services, configuration) => services.AddBusApi(configuration), _ => { }, app => app.MapBusApi()),
        new("console", "the web console at / (sign in with a personal API token; dashboard, ingests, objects, alerts, reports), shown as the API's policy table allows",
            (services, configuration) => services.AddBusConsole(configuration), _ => { }, app => app.MapBusConsole()),
    ];

    public static IEnumerable<string> Names => All.Select(r => r.Name);
}
