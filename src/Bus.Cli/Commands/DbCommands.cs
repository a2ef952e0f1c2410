using Bus.Cli.Output;
using System.CommandLine;
using Bus.Platform.Database;
using Npgsql;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class DbCommands
{
    public static Command Create()
    {
        var db = new Command("db", "Database schema: migrations of every module (never drop-and-create)");

        var migrate = new Command("migrate", "Apply every module's pending EF Core migrations, in module order");
        migrate.SetBusAction(async (_, context, output, ct) =>
        {
            var applied = new List<ModuleMigrations>();
            foreach (var module in context.Get<IEnumerable<IDatabaseModule>>().OrderBy(m => m.Order))
            {
                try
                {
                    var pending = await module.PendingMigrationsAsync(ct);
                    await module.MigrateAsync(ct);
                    applied.Add(new ModuleMigrations(module.Name, pending));
                }
                catch (NpgsqlException e)
                {
                    return output.Fail(ExitCodes.UsageOrConnection, $"migrating {module.Name}: {e.Message}");
                }
            }
            output.Result(new { modules = applied }, console =>
            {
                var table = new Table().AddColumns("Module", "Applied migrations");
                foreach (var a in applied)
                    table.AddRow(TerminalText.Markup(a.Module), TerminalText.MarkupLines(a.Migrations.Count == 0 ? ["(up to date)"] : a.Migrations));
                console.Write(table);
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
