using Bus.Cli.Output;
using System.CommandLine;
using Bus.Registry;
using Bus.Registry.Queries;
using Bus.Registry.Store;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class ObjectsCommands
{
    public static Command Create()
    {
        var objects = new Command("objects", "Preserved intellectual objects (registry)");

        var identifier = new Argument<string>("identifier") { Description = "institution/bag-name, or a file: institution/bag-name/data/..." };
        var show = new Command("show", "An object (or one file) with files, checksums, storage records and PREMIS events. Exit 1 when not found.") { identifier };
        show.SetBusAction((parseResult, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async _ =>
        {
            var id = parseResult.GetValue(identifier)!;
            if (!Identifiers.TryParse(id, out ParsedIdentifier? parsed, out var error)) return output.Fail(ExitCodes.UsageOrConnection, error);
            await using var db = context.Get<RegistryDatabase>().CreateDbContext();
            var detail = await ObjectDetails.LoadAsync(db, id, ct);
            if (detail is null) return output.Fail(ExitCodes.Negative, $"no object or file '{id}' in the registry");
            output.Result(detail, console => Render(console, detail));
            return ExitCodes.Success;
        }, ct));

        objects.Subcommands.Add(show);
        return objects;
    }

    private static void Render(IAnsiConsole console, ObjectDetail detail)
    {
        var o = detail.IntellectualObject;
        var summary = new Grid().AddColumns(2);
        summary.AddRow("Identifier", TerminalText.Markup(o.Identifier));
        summary.AddRow("Title", TerminalText.Markup(o.Title));
        summary.AddRow("State", TerminalText.Markup(o.State) + (o.DeletedAt is { } d ? $" (deleted {d:u})" : ""));
        summary.AddRow("Access", TerminalText.Markup(o.Access));
        summary.AddRow("Storage option", TerminalText.Markup(o.StorageOption));
        summary.AddRow("Created / updated", $"{o.CreatedAt:u} / {o.UpdatedAt:u}");
        console.Write(summary);

        var files = new Table().AddColumns("File", "Size", "Format", "State", "Checksums", "Copies");
        foreach (var f in detail.Files)
            files.AddRow(
                TerminalText.Markup(f.File.Identifier), f.File.Size.ToString(), TerminalText.Markup(f.File.Format), TerminalText.Markup(f.File.State),
                TerminalText.MarkupLines(f.Checksums.Select(c => $"{c.Algorithm} {c.Source} {c.Digest}")),
                TerminalText.MarkupLines(f.StorageRecords.Select(s =>
                    $"{s.Bucket}/{s.Key} {s.State} fixity {(s.LastFixityAt is { } at ? $"{s.LastFixityOutcome} {at:u}" : "never")}")));
        console.Write(files);

        var events = new Table().AddColumns("Date", "Event", "Outcome", "About", "Detail");
        foreach (var e in detail.Events)
            events.AddRow(e.DateTime.ToString("u"), TerminalText.Markup(e.EventType), TerminalText.Markup(e.Outcome), TerminalText.Markup(e.Identifier), TerminalText.Markup(e.Detail));
        console.Write(events);
    }
}
