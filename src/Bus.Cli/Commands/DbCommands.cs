using Bus.Cli.Output;
using System.CommandLine;
using Bus.Platform;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class DbCommands
{
    public static Command Create()
    {
        var db = new Command("db", "Database schema: migrations of every module (never drop-and-create)");

        var migrate = new Command("migrate",
            "Apply every module's pending EF Core migrations, in module order, as the owner role (Bus:Postgres:MigrationConnectionString), " +
            "then grant the runtime role (Bus:Postgres:ConnectionString) its data rights");
        migrate.SetBusAction(async (_, context, output, ct) =>
        {
            var postgres = context.Options<PostgresOptions>();
            if (BusOptionsValidator<PostgresOptions>.IsProduction(BusConfiguration.EnvironmentName))
            {
                var refused = BusOptionsValidator<PostgresOptions>.RefusedSecrets(PostgresOptions.Section, postgres.MigrationSecrets())
                    .Concat(PostgresTls.ClearTextProblems(nameof(PostgresOptions.MigrationConnectionString), postgres.MigrationConnectionString)
                        .Select(e => $"{PostgresOptions.Section}:{e.Key} {e.Message}"))
                    .ToList();
                if (refused.Count > 0) return output.Fail(ExitCodes.UsageOrConnection, "invalid configuration: " + string.Join("; ", refused));
            }
            MigrationRunResult run;
            try
            {
                run = await DatabaseMigrationRun.RunAsync(context.Get<IEnumerable<IDatabaseModule>>(), postgres, ct);
            }
            catch (DatabaseMigrationException e)
            {
                return output.Fail(ExitCodes.UsageOrConnection, e.Message);
            }
            var applied = run.Applied.Select(a => new ModuleMigrations(a.Module, a.Migrations)).ToList();
            output.Result(new { modules = applied, warnings = run.Warnings }, console =>
            {
                var table = new Table().AddColumns("Module", "Applied migrations");
                foreach (var a in applied)
                    table.AddRow(TerminalText.Markup(a.Module), TerminalText.MarkupLines(a.Migrations.Count == 0 ? ["(up to date)"] : a.Migrations));
                console.Write(table);
                foreach (var w in run.Warnings) console.MarkupLine($"[yellow]warning:[/] {TerminalText.Markup(w)}");
            });
            return ExitCodes.Success;
        });

        var pendingCommand = new Command("pending", "List migrations not yet applied. Exit 1 when any are pending.");
        pendingCommand.SetBusAction(async (_, context, output, ct) =>
        {
            var rows = new List<ModuleMigrations>();
            foreach (var module in context.Get<IEnumerable<IDatabaseModule>>().OrderBy(m => m.Order))
                rows.Add(new ModuleMigrations(module.Name, await module.PendingMigrationsAsync(ct)));
            output.Result(new { modules = rows }, console =>
            {
                foreach (var r in rows) console.MarkupLine($"{TerminalText.Markup(r.Module)}: {(r.Migrations.Count == 0 ? "up to date" : TerminalText.Markup(string.Join(", ", r.Migrations)))}");
            });
            return rows.Any(r => r.Migrations.Count > 0) ? ExitCodes.Negative : ExitCodes.Success;
        });

        db.Subcommands.Add(migrate);
        db.Subcommands.Add(pendingCommand);
        return db;
    }
}

public sealed record ModuleMigrations(string Module, IReadOnlyList<string> Migrations);
