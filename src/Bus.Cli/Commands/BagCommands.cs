using System.CommandLine;
using Bus.BagIt;
using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;
using Bus.Cli.Output;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class BagCommands
{
    public static Command Create()
    {
        var bag = new Command("bag", "BagIt bags on local disk");
        bag.Subcommands.Add(Validate());
        return bag;
    }

    private static Command Validate()
    {
        var path = new Argument<string>("bag") { Description = "A bag serialized as a .tar, or a bag folder" };
        var profileOption = new Option<string?>("--profile")
        {
            Description = "aptrust, btr or bagit (RFC 8493 only); default: the bag's BagIt-Profile-Identifier, else aptrust",
        };
        profileOption.AcceptOnlyFromAmong([.. BagProfiles.Names]);
        var command = new Command("validate", "Check a bag exactly as ingest's Validate step does. Exit 0 valid, 1 invalid (every reason printed), 2 unreadable input.")
        {
            path,
            profileOption,
        };
        // No servers are involved, so this does not build the CLI context (configuration, clients).
        command.SetAction((parseResult, cancellationToken) =>
            ValidateAsync(parseResult.GetValue(path)!, parseResult.GetValue(profileOption), new CliOutput(parseResult.GetValue(CommandRunner.Json)), cancellationToken));
        return command;
    }

    /// <summary>
    /// <c>busctl bag validate</c> itself: 0 valid, 1 invalid (every reason printed), 2 unreadable input
    /// (the scan's reason code printed). A damaged tar is one of these, never an exception.
    /// </summary>
    public static async Task<int> ValidateAsync(string target, string? profileName, CliOutput output, CancellationToken cancellationToken)
    {
        BagInventory inventory;
        try
        {
            if (Directory.Exists(target)) inventory = await FolderBagScanner.ScanAsync(target, cancellationToken: cancellationToken);
            else if (File.Exists(target)) inventory = await TarBagScanner.ScanFileAsync(target, cancellationToken: cancellationToken);
            else return output.Fail(ExitCodes.UsageOrConnection, $"no such file or folder: {target}");
        }
        catch (BagScanException e)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"{target}: {e.Message} [{e.Code}]", e.Code);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"{target}: {e.Message}");
        }

        var result = await BagValidator.ValidateAsync(inventory, profileName is null ? null : BagProfiles.Find(profileName)!, cancellationToken);
        foreach (var warning in result.Warnings) output.Warn($"{warning.Code}: {warning.Message}");
        output.Result(new
        {
            valid = result.IsValid,
            bag = result.BagName,
            source = inventory.Source,
            profile = result.Profile,
            profileIdentifier = result.ProfileIdentifier,
            bagItVersion = result.BagItVersion,
            fileCount = result.PayloadFileCount,
            payloadBytes = result.PayloadBytes,
            payloadOxum = result.PayloadOxum,
            declaredPayloadOxum = result.DeclaredPayloadOxum,
            manifestAlgorithms = result.ManifestAlgorithms,
            tagManifestAlgorithms = result.TagManifestAlgorithms,
            errors = result.Errors,
            warnings = result.Warnings,
        }, console => Render(console, result));
        return result.IsValid ? ExitCodes.Success : ExitCodes.Negative;
    }

    private static void Render(IAnsiConsole console, BagValidationResult result)
    {
        var summary = $"{TerminalText.Markup(result.BagName ?? "(no bag folder)")}: profile {result.Profile}, BagIt {TerminalText.Markup(result.BagItVersion ?? "?")}, "
            + $"{result.PayloadFileCount} payload files, {result.PayloadBytes} bytes (Payload-Oxum {result.PayloadOxum})";
        if (result.IsValid)
        {
            console.MarkupLine($"[green]valid[/] {summary}");
            return;
        }
        console.MarkupLine($"[red]invalid[/] {summary}: {result.Errors.Count} error(s)");
        var table = new Table().AddColumns("Code", "Path", "Problem");
        foreach (var error in result.Errors)
            table.AddRow(TerminalText.Markup(error.Code), TerminalText.Markup(error.Path ?? ""), TerminalText.Markup(error.Message));
        console.Write(table);
    }
}
