using Bus.Cli.Output;
using System.CommandLine;
using Bus.Registry;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class InstitutionsCommands
{
    public static Command Create()
    {
        var institutions = new Command("institutions", "Institutions that deposit content (registry)");

        var id = new Argument<string>("id") { Description = "Institution identifier, a domain name such as test.edu" };
        var name = new Option<string>("--name") { Description = "Display name", Required = true };
        var add = new Command("add", "Register an institution. Exit 1 when it already exists.") { id, name };
        add.SetBusAction((parseResult, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var identifier = parseResult.GetValue(id)!;
            if (Identifiers.InstitutionError(identifier) is { } error) return output.Fail(ExitCodes.UsageOrConnection, error);
            var displayName = parseResult.GetValue(name)!;
            if (string.IsNullOrWhiteSpace(displayName)) return output.Fail(ExitCodes.UsageOrConnection, "--name must not be empty");
            if (!await store.EnsureInstitutionAsync(identifier, displayName, ct))
                return output.Fail(ExitCodes.Negative, $"institution '{identifier}' already exists");
            var row = await store.FindInstitutionAsync(identifier, ct);
            output.Result(new { institution = row }, console => console.MarkupLine($"added institution [bold]{TerminalText.Markup(identifier)}[/]"));
            return ExitCodes.Success;
        }, ct));

        var list = new Command("list", "List institutions");
        list.SetBusAction((_, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var rows = await store.ListInstitutionsAsync(ct);
            output.Result(new { institutions = rows }, console =>
            {
                var table = new Table().AddColumns("Identifier", "Name", "Created");
                foreach (var r in rows) table.AddRow(TerminalText.Markup(r.Identifier), TerminalText.Markup(r.Name), r.CreatedAt.ToString("u"));
                console.Write(table);
            });
            return ExitCodes.Success;
        }, ct));

        institutions.Subcommands.Add(add);
        institutions.Subcommands.Add(list);
        return institutions;
    }
}
