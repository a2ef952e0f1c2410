using System.CommandLine;
using Bus.Cli;
using Bus.Cli.Commands;
using Bus.Ingest;
using Bus.Fixity;
using Bus.Deletion;
using Bus.Registry;
using Bus.Operations;
using Bus.Persistence;
using Bus.Restore;
using Bus.Restore.SpotTests;
using Bus.Notifications;

CliContext.Modules.Add((services, configuration) => services.AddIngestWorkflow(configuration));

var root = new RootCommand("busctl: operate Bus, the preservation message bus");
root.Options.Add(CommandRunner.Json);
CliContext.Modules.Add((services, _) => services.AddPersistenceDatabase());
// Command groups: one file each under Commands/.
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(DbCommands.Create());
root.Subcommands.Add(IngestCommands.Create());
root.Subcommands.Add(PingCommand.Create());
root.Subcommands.Add(DeleteCommands.Create());
CliContext.Modules.Add((services, configuration) => services.AddDeletionWorkflow(configuration));
CliContext.Modules.Add((services, _) => services.AddBusRegistry());
root.Subcommands.Add(InstitutionsCommands.Create());
root.Subcommands.Add(UsersCommands.Create());
root.Subcommands.Add(ObjectsCommands.Create());
root.Subcommands.Add(AlertsCommands.Create());
CliContext.Modules.Add((services, configuration) => services.AddFixityWorkflow(configuration));
root.Subcommands.Add(FixityCommands.Create());
root.Subcommands.Add(ErrorsCommands.Create());
root.Subcommands.Add(SagasCommands.Create());
root.Subcommands.Add(OutboxCommands.Create());
CliContext.Modules.Add((services, configuration) => services.AddBusOperations(configuration));
root.Subcommands.Add(BagCommands.Create());
CliContext.Modules.Add((services, configuration) => services.AddRestoreWorkflow(configuration));
root.Subcommands.Add(RestoreCommands.Create());
CliContext.Modules.Add((services, configuration) => services.AddSpotTestRecords(configuration));
root.Subcommands.Add(SpotTestsCommands.Create());
CliContext.Modules.Add((services, _) => services.AddNotificationsDatabase());
root.Subcommands.Add(NotificationsCommands.Create());

var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0)
{
    // System.CommandLine exits 1 on parse errors; busctl reserves 1 for negative outcomes.
    foreach (var error in parseResult.Errors) Console.Error.WriteLine($"busctl: {error.Message}");
    Console.Error.WriteLine("Try 'busctl --help'.");
    return ExitCodes.UsageOrConnection;
}
return await parseResult.InvokeAsync();
