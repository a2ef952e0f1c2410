using System.CommandLine;
using System.Text.Json;
using Bus.Cli.Api;
using Bus.Cli.Output;
using Bus.Registry;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary><c>busctl objects show|events</c> through the HTTP API: what your token's institution preserved.</summary>
public static class ObjectsCommands
{
    public static Command Create()
    {
        var objects = new Command("objects", "Preserved intellectual objects, through the API ($BUS_TOKEN or --token-file)");

        var identifier = new Argument<string>("identifier") { Description = "institution/bag-name, or a file: institution/bag-name/data/..." };
        var show = new Command("show", "An object (or one of its files) with checksums and copies. Exit 1 when not found.") { identifier };
        show.SetApiAction(async (parse, api, output, ct) =>
        {
            var (id, parsed) = Parse(parse.GetValue(identifier)!);
            var document = await api.GetAsync(ApiDocuments.ObjectPath(parsed.Institution, parsed.BagName), ct);
            var files = document.GetProperty("files").EnumerateArray().Where(f => !parsed.IsFile || f.Text("identifier") == id).ToList();
            if (parsed.IsFile && files.Count == 0) return output.Fail(ExitCodes.Negative, $"no file '{id}' in object '{parsed.ObjectIdentifier}'");
            // For a file, the object's summary with that one file.
            var shown = parsed.IsFile ? WithFiles(document, files) : document;
            output.Result(shown, console => Render(console, shown));
            return ExitCodes.Success;
        });

        var eventsOf = new Argument<string>("identifier") { Description = "institution/bag-name, or a file: institution/bag-name/data/..." };
        var limit = new Option<int>("--limit") { Description = "At most this many, oldest first", DefaultValueFactory = _ => 500 };
        var events = new Command("events", "An object's PREMIS events (a file's only, for a file identifier), oldest first. Exit 1 when not found.") { eventsOf, limit };
        events.SetApiAction(async (parse, api, output, ct) =>
        {
            var (id, parsed) = Parse(parse.GetValue(eventsOf)!);
            var max = parse.GetValue(limit);
            if (max is < 1 or > 100_000) throw new CliUsageException($"--limit must be 1-100000 (got {max})");
            var rows = await ApiDocuments.ReadPagesAsync(api, ApiDocuments.ObjectPath(parsed.Institution, parsed.BagName) + "/events", max, ct);
            if (parsed.IsFile) rows = rows.Where(e => e.Text("identifier") == id).ToList();
            output.Result(new { identifier = id, events = rows }, console =>
            {
                var table = new Table().AddColumns("Date", "Event", "Outcome", "About", "Detail", "Agent");
                foreach (var e in rows)
                    table.AddRow(TerminalText.Markup(e.Text("dateTime")), TerminalText.Markup(e.Text("eventType")), TerminalText.Markup(e.Text("outcome")),
                        TerminalText.Markup(e.Text("identifier")), TerminalText.Markup(e.Text("detail")), TerminalText.Markup(e.Text("agent")));
                console.Write(table);
            });
            return ExitCodes.Success;
        });

        objects.Subcommands.Add(show);
        objects.Subcommands.Add(events);
        return objects.WithTokenFile();
    }

    private static (string Identifier, ParsedIdentifier Parsed) Parse(string text)
    {
        var id = text.Trim();
        if (!Identifiers.TryParse(id, out var parsed, out var error)) throw new CliUsageException(error);
        return (id, parsed);
    }

    private static JsonElement WithFiles(JsonElement document, List<JsonElement> files)
    {
        var copy = new Dictionary<string, JsonElement>();
        foreach (var p in document.EnumerateObject()) copy[p.Name] = p.Value;
        copy["files"] = JsonSerializer.SerializeToElement(files);
        return JsonSerializer.SerializeToElement(copy);
    }

    private static void Render(IAnsiConsole console, JsonElement o)
    {
        var summary = new Grid().AddColumns(2);
        summary.AddRow("Identifier", TerminalText.Markup(o.Text("identifier")));
        summary.AddRow("Title", TerminalText.Markup(o.Text("title")));
        summary.AddRow("State", TerminalText.Markup(o.Text("state")) + (o.Text("deletedAt") is { Length: > 0 } d ? TerminalText.Markup($" (deleted {d})") : ""));
        summary.AddRow("Access", TerminalText.Markup(o.Text("access")));
        summary.AddRow("Storage option", TerminalText.Markup(o.Text("storageOption")));
        summary.AddRow("Created / updated", TerminalText.Markup($"{o.Text("createdAt")} / {o.Text("updatedAt")}"));
        console.Write(summary);

        var files = new Table().AddColumns("File", "Size", "Format", "State", "Checksums", "Copies");
        foreach (var f in o.GetProperty("files").EnumerateArray())
            files.AddRow(
                TerminalText.Markup(f.Text("identifier")), f.Text("size"), TerminalText.Markup(f.Text("format")), TerminalText.Markup(f.Text("state")),
                TerminalText.MarkupLines(f.GetProperty("checksums").EnumerateArray().Select(c => $"{c.Text("algorithm")} {c.Text("source")} {c.Text("digest")}")),
                TerminalText.MarkupLines(f.GetProperty("copies").EnumerateArray().Select(s =>
                    $"{s.Text("bucket")}/{s.Text("key")} {s.Text("state")} fixity {(s.Text("lastFixityAt") is { Length: > 0 } at ? $"{s.Text("lastFixityOutcome")} {at}" : "never")}")));
        console.Write(files);
        console.MarkupLine("PREMIS events: busctl objects events " + TerminalText.Markup(o.Text("identifier")));
    }
}
