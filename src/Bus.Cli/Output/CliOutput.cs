using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Bus.Cli.Output;

/// <summary>
/// Where a command's result goes: with --json exactly one JSON document on stdout (and nothing
/// else there), otherwise tables for people. Warnings and errors always go to stderr.
/// </summary>
public sealed class CliOutput(bool json, TextWriter? stdout = null, TextWriter? stderr = null)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public bool Json { get; } = json;
    public TextWriter Out { get; } = stdout ?? System.Console.Out;
    public TextWriter Error { get; } = stderr ?? System.Console.Error;

    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(stdout ?? System.Console.Out),
    });

    /// <summary>Prints the document as JSON, or lets <paramref name="human"/> render it.</summary>
    public void Result<T>(T document, Action<IAnsiConsole> human)
    {
        if (Json) Out.WriteLine(JsonSerializer.Serialize(document, JsonOptions));
        else human(Console);
    }

    /// <summary>A warning on stderr; the message may carry bag text, so it is cleaned for the terminal.</summary>
    public void Warn(string message) => Error.WriteLine($"warning: {TerminalText.Clean(message)}");

    /// <summary>
    /// A usage or connection error, or unreadable input: on stderr (cleaned for the terminal), and with
    /// --json also as the one JSON document, with the reason <paramref name="code"/> when there is one.
    /// </summary>
    public int Fail(int exitCode, string message, string? code = null)
    {
        Error.WriteLine($"busctl: {TerminalText.Clean(message)}");
        if (Json)
            Out.WriteLine(code is null
                ? JsonSerializer.Serialize(new { error = message, exitCode }, JsonOptions)
                : JsonSerializer.Serialize(new { error = message, code, exitCode }, JsonOptions));
        return exitCode;
    }
}
