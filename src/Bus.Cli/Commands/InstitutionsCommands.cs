using Bus.Cli.Output;
using System.CommandLine;
using Bus.Platform.Options;
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
        var noBrokerUser = new Option<bool>("--no-broker-user") { Description = "Do not create the institution's integrator RabbitMQ user" };
        var add = new Command("add",
            "Register an institution and create its integrator RabbitMQ user (integrator.<id>: may only publish SubmitIngest for it); " +
            "prints that user's password once. Exit 1 when it already exists.") { id, name, noBrokerUser };
        add.SetBusAction((parseResult, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var identifier = parseResult.GetValue(id)!;
            if (Identifiers.InstitutionError(identifier) is { } error) return output.Fail(ExitCodes.UsageOrConnection, error);
            var displayName = parseResult.GetValue(name)!;
            if (string.IsNullOrWhiteSpace(displayName)) return output.Fail(ExitCodes.UsageOrConnection, "--name must not be empty");
            if (!await store.EnsureInstitutionAsync(identifier, displayName, ct))
                return output.Fail(ExitCodes.Negative, $"institution '{identifier}' already exists");
            var row = await store.FindInstitutionAsync(identifier, ct);
            (string User, string Password)? broker = null;
            if (!parseResult.GetValue(noBrokerUser))
            {
                try
                {
                    broker = await IntegratorBrokerUser.CreateAsync(context.Options<RabbitMqOptions>(), identifier, ct);
                }
                catch (HttpRequestException e)
                {
                    return output.Fail(ExitCodes.UsageOrConnection, $"institution '{identifier}' added, but its integrator broker user was not created: {e.Message}");
                }
            }
            output.Result(new { institution = row, brokerUser = broker?.User, brokerPassword = broker?.Password }, console =>
            {
                console.MarkupLine($"added institution [bold]{TerminalText.Markup(identifier)}[/]");
                if (broker is { } b)
                    console.MarkupLine($"integrator broker user [bold]{TerminalText.Markup(b.User)}[/], password (shown once): {TerminalText.Markup(b.Password)}");
            });
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
