using Bus.Cli.Output;
using System.CommandLine;
using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Store;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class UsersCommands
{
    public static Command Create()
    {
        var users = new Command("users", "People who deposit, approve deletions or operate Bus (registry)");

        var email = new Argument<string>("email") { Description = "The user's email address (stored lower-case)" };
        var institution = new Option<string>("--institution") { Description = "Institution identifier, e.g. test.edu", Required = true };
        var role = new Option<string>("--role") { Description = $"One of {string.Join(", ", Roles.All)}", Required = true };
        var add = new Command("add", "Add a user. Exit 1 when the email already exists.") { email, institution, role };
        add.SetBusAction((parseResult, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var address = parseResult.GetValue(email)!.ToLowerInvariant();
            var inst = parseResult.GetValue(institution)!;
            var roleName = parseResult.GetValue(role)!;
            if (Identifiers.EmailError(address) is { } emailError) return output.Fail(ExitCodes.UsageOrConnection, emailError);
            if (Identifiers.InstitutionError(inst) is { } instError) return output.Fail(ExitCodes.UsageOrConnection, instError);
            if (!Roles.All.Contains(roleName))
                return output.Fail(ExitCodes.UsageOrConnection, $"unknown role '{roleName}': expected one of {string.Join(", ", Roles.All)}");
            switch (await store.AddUserAsync(address, inst, roleName, ct))
            {
                case AddUserOutcome.UnknownInstitution:
                    return output.Fail(ExitCodes.UsageOrConnection, $"institution '{inst}' does not exist (add it with 'busctl institutions add')");
                case AddUserOutcome.Duplicate:
                    return output.Fail(ExitCodes.Negative, $"user '{address}' already exists");
            }
            var row = await store.FindUserAsync(address, ct);
            output.Result(new { user = row }, console => console.MarkupLine($"added {TerminalText.Markup(roleName)} [bold]{TerminalText.Markup(address)}[/] of {TerminalText.Markup(inst)}"));
            return ExitCodes.Success;
        }, ct));

        var filter = new Option<string?>("--institution") { Description = "Only users of this institution" };
        var list = new Command("list", "List users") { filter };
        list.SetBusAction((parseResult, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var inst = parseResult.GetValue(filter);
            if (inst is not null && Identifiers.InstitutionError(inst) is { } instError) return output.Fail(ExitCodes.UsageOrConnection, instError);
            var rows = await store.ListUsersAsync(inst, ct);
            output.Result(new { users = rows }, console =>
            {
                var table = new Table().AddColumns("Email", "Institution", "Role", "Created");
                foreach (var r in rows) table.AddRow(TerminalText.Markup(r.Email), TerminalText.Markup(r.Institution), TerminalText.Markup(r.Role), r.CreatedAt.ToString("u"));
                console.Write(table);
            });
            return ExitCodes.Success;
        }, ct));

        users.Subcommands.Add(add);
        users.Subcommands.Add(list);
        users.Subcommands.Add(UserTokensCommands.Create());
        return users;
    }
}
