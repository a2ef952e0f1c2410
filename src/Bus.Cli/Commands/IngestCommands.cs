using System.CommandLine;
using System.Text.Json;
using Bus.Cli.Api;
using Bus.Cli.Output;
using Bus.Contracts.Ingest;
using Bus.Ingest.StateMachines;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>
/// <c>busctl ingest submit|status|list|cancel</c> through the HTTP API (docs/api.md): the token says who
/// submits and for which institution.
/// </summary>
public static class IngestCommands
{
    private const string Completed = nameof(IngestStateMachine.Completed);
    private const string Rejected = nameof(IngestStateMachine.Rejected);
    private const string Cancelled = nameof(IngestStateMachine.Cancelled);
    private static readonly IReadOnlyList<string> EndStates = IngestStateMachine.EndStates;
    // Faulted is where --wait stops (an operator must act), but a cancel of a Faulted ingest waits for Cancelled.
    private static readonly string[] Terminal = [.. EndStates, nameof(IngestStateMachine.Faulted)];
    private static readonly string[] StepOrder = [IngestSteps.Unpack, IngestSteps.Validate, IngestSteps.Identify, IngestSteps.Store, IngestSteps.Verify, IngestSteps.Record, IngestSteps.CleanUp];

    public static Command Create()
    {
        var ingest = new Command("ingest", "Ingest bags through the API: submit a tar, follow, list, cancel ($BUS_TOKEN or --token-file)");
        ingest.Subcommands.Add(Submit());
        ingest.Subcommands.Add(Status("status"));
        ingest.Subcommands.Add(Status("show"));
        ingest.Subcommands.Add(List());
        ingest.Subcommands.Add(Cancel());
        return ingest.WithTokenFile();
    }

    private static Command Submit()
    {
        var tar = new Argument<FileInfo?>("bag.tar") { Description = "The bag serialized as a tar, uploaded as the request body; its name without .tar is the bag name", Arity = ArgumentArity.ZeroOrOne };
        var key = new Option<string?>("--key") { Description = "Instead of a file: the key of a tar already uploaded to your institution's receiving prefix (<institution>/<bag>.tar)" };
        var storageOption = new Option<string?>("--storage-option") { Description = "Storage option (default: the bag's Storage-Option tag)" };
        var wait = new Option<bool>("--wait") { Description = "Follow the ingest to its end: exit 0 Completed, 3 Rejected, 4 Failed/Cancelled/Faulted" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: seconds before giving up (exit 2)", DefaultValueFactory = _ => 3600 };
        var command = new Command("submit", "Upload a bag tar through the API (streamed) and submit it for ingest, or submit an uploaded one with --key")
        {
            tar, key, storageOption, wait, timeout,
        };
        command.SetApiAction(async (parse, api, output, ct) =>
        {
            var file = parse.GetValue(tar);
            var uploaded = parse.GetValue(key)?.Trim();
            if ((file is null) == string.IsNullOrEmpty(uploaded)) throw new CliUsageException("give either a tar file or --key <institution>/<bag>.tar");
            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 604_800) throw new CliUsageException($"--timeout must be 1-604800 seconds (got {seconds})");
            var option = parse.GetValue(storageOption);
            var query = option is null ? "" : "storageOption=" + Uri.EscapeDataString(option);
            JsonElement answer;
            if (file is not null)
            {
                if (!file.Exists) throw new CliUsageException($"no such file: {file.FullName}");
                answer = await api.PostFileAsync($"ingests?name={Uri.EscapeDataString(file.Name)}{(query.Length > 0 ? "&" + query : "")}", file, ct);
            }
            else
            {
                answer = await api.PostAsync("ingests", new { key = uploaded, storageOption = option }, ct);
            }
            var submitted = ApiDocuments.Read<SubmittedDocument>(answer);

            var waitFor = TimeSpan.FromSeconds(parse.GetValue(wait) ? seconds : 10);
            var accepted = await ResolveAsync(api, submitted, waitFor, ct);
            if (!parse.GetValue(wait))
            {
                var ingestId = accepted?.IngestId ?? submitted.IngestId;
                output.Result(new
                    {
                        ingestId, state = accepted?.State ?? "Submitted", acknowledged = accepted is not null, supersedes = accepted?.Supersedes,
                        bucket = submitted.Bucket, key = submitted.Key, etag = submitted.ETag, size = submitted.Size,
                    },
                    console =>
                    {
                        console.MarkupLine($"submitted [bold]{ingestId}[/] (s3://{TerminalText.Markup(submitted.Bucket)}/{TerminalText.Markup(submitted.Key)})");
                        if (accepted is null) console.MarkupLine("  no ingest host acknowledged it within 10 s; the message waits in RabbitMQ");
                        else if (accepted.Supersedes is { } previous) console.MarkupLine($"  a new ingest of this upload: ingest {previous} ended before");
                    });
                return ExitCodes.Success;
            }
            if (accepted is null) return output.Fail(ExitCodes.UsageOrConnection, $"ingest {submitted.IngestId} was not acknowledged within {seconds} s");
            var status = await WaitAsync(api, accepted.IngestId, TimeSpan.FromSeconds(seconds), output, ct);
            if (status is null) return output.Fail(ExitCodes.UsageOrConnection, $"ingest {accepted.IngestId} did not finish within {seconds} s");
            Print(output, status.Value);
            return ExitCodeOf(ApiDocuments.Read<IngestDocument>(status.Value).State);
        });
        return command;
    }

    private static Command Status(string name)
    {
        var id = new Argument<Guid>("ingestId");
        var command = new Command(name, "Show an ingest's state, steps and errors. Exit 1 when unknown (or of another institution).") { id };
        command.SetApiAction(async (parse, api, output, ct) =>
        {
            Print(output, await api.GetAsync($"ingests/{parse.GetValue(id)}", ct));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var state = new Option<string?>("--state") { Description = "Only ingests in this state (e.g. Storing, Completed, Rejected, Faulted)" };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List the ingests your token may see, newest first") { state, limit };
        command.SetApiAction(async (parse, api, output, ct) =>
        {
            var max = parse.GetValue(limit);
            if (max is < 1 or > 100_000) throw new CliUsageException($"--limit must be 1-100000 (got {max})");
            var path = parse.GetValue(state) is { } wanted ? $"ingests?state={Uri.EscapeDataString(wanted)}" : "ingests";
            var ingests = await ApiDocuments.ReadPagesAsync(api, path, max, ct);
            output.Result(new { ingests }, console =>
            {
                var table = new Table().AddColumns("Ingest", "State", "Object or upload", "Received", "Submitted by", "Last error");
                foreach (var i in ingests)
                {
                    var objectOrKey = i.Text("objectIdentifier") is { Length: > 0 } o ? o : i.Text("key");
                    table.AddRow(i.Text("ingestId"), TerminalText.Markup(i.Text("state")), TerminalText.Markup(objectOrKey),
                        TerminalText.Markup(i.Text("receivedAt")), TerminalText.Markup(i.Text("submittedBy")), TerminalText.Markup(i.Text("lastError")));
                }
                console.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Cancel()
    {
        var id = new Argument<Guid>("ingestId");
        var reason = new Option<string?>("--reason") { Description = "Why (kept on the ingest)" };
        var command = new Command("cancel", "Cancel an unfinished ingest; what it stored is removed. Exit 1 when unknown or already finished.") { id, reason };
        command.SetApiAction(async (parse, api, output, ct) =>
        {
            var ingestId = parse.GetValue(id);
            await api.PostAsync($"ingests/{ingestId}/cancel", new { reason = parse.GetValue(reason) }, ct);
            var after = await WaitAsync(api, ingestId, TimeSpan.FromSeconds(30), null, ct, EndStates);
            if (after is null) return output.Fail(ExitCodes.UsageOrConnection, "the cancel was sent but the ingest did not report an end within 30 s");
            Print(output, after.Value);
            return ApiDocuments.Read<IngestDocument>(after.Value).State == Cancelled ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    public static int ExitCodeOf(string state) => state switch
    {
        Completed => ExitCodes.Success,
        Rejected => ExitCodes.IngestRejected,
        _ => ExitCodes.IngestFailed,
    };

    private static async Task<JsonElement?> QueryAsync(ApiClient api, Guid id, CancellationToken ct)
    {
        // Until the ingest host has taken the submission there is no ingest to read: not found means "not yet" here.
        try { return await api.GetAsync($"ingests/{id}", ct); }
        catch (ApiProblemException problem) when (problem.Status == 404) { return null; }
    }

    /// <summary>
    /// The ingest that took this submission: the answered id's ingest once it has seen a submission at or
    /// after the API's <see cref="SubmittedDocument.SubmittedAt"/>, or, when that ingest had ended and handed
    /// the submission on, its successor (followed down the chain). Null when nothing answered in time.
    /// </summary>
    private static async Task<IngestDocument?> ResolveAsync(ApiClient api, SubmittedDocument submitted, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var id = submitted.IngestId;
        var followed = new HashSet<Guid> { id };
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            if (await QueryAsync(api, id, ct) is { } found)
            {
                var status = ApiDocuments.Read<IngestDocument>(found);
                if (submitted.SubmittedAt is null || status.LastSubmittedAt >= submitted.SubmittedAt)
                {
                    if (status.SupersededBy is not { } next) return status;
                    // Successor ids are derived, so a chain cannot loop; a forged or damaged row must not make this spin.
                    if (!followed.Add(next)) return status;
                    id = next;
                    continue;
                }
            }
            await Task.Delay(200, ct);
        }
        return null;
    }

    /// <summary>Polls the ingest until a terminal state; on a terminal, one progress bar per step.</summary>
    private static async Task<JsonElement?> WaitAsync(ApiClient api, Guid id, TimeSpan timeout, CliOutput? output, CancellationToken ct,
        IReadOnlyList<string>? until = null)
    {
        until ??= Terminal;
        var deadline = DateTime.UtcNow + timeout;
        JsonElement? last = null;
        string? lastState = null;
        async Task Poll(Action<IngestDocument>? show)
        {
            while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
            {
                last = await QueryAsync(api, id, ct);
                if (last is { } found)
                {
                    var status = ApiDocuments.Read<IngestDocument>(found);
                    lastState = status.State;
                    show?.Invoke(status);
                    if (until.Contains(status.State)) return;
                }
                await Task.Delay(500, ct);
            }
        }
        if (output is null || output.Json)
        {
            await Poll(null);
        }
        else
        {
            await output.Console.Progress().AutoClear(false).StartAsync(async progress =>
            {
                var tasks = StepOrder.ToDictionary(s => s, s => progress.AddTask(s, autoStart: false, maxValue: 1));
                await Poll(status =>
                {
                    foreach (var step in status.Steps ?? [])
                    {
                        if (!tasks.TryGetValue(step.Step, out var task)) continue;
                        if (step.StartedAt is not null && !task.IsStarted) task.StartTask();
                        if (step.FinishedAt is not null) { task.MaxValue = 1; task.Value = 1; task.StopTask(); }
                        else if (step.Step == status.CurrentStep && status.ProgressTotal > 0)
                        {
                            task.MaxValue = status.ProgressTotal;
                            task.Value = status.ProgressDone;
                        }
                    }
                });
            });
        }
        return lastState is not null && until.Contains(lastState) ? last : null;
    }

    private static void Print(CliOutput output, JsonElement document)
    {
        var s = ApiDocuments.Read<IngestDocument>(document);
        output.Result(document, console =>
        {
            var color = s.State switch
            {
                Completed => "green", Cancelled => "yellow",
                _ when Terminal.Contains(s.State) => "red",
                _ => "blue",
            };
            console.MarkupLine($"ingest [bold]{s.IngestId}[/]: [{color}]{TerminalText.Markup(s.State)}[/] {TerminalText.Markup(s.ObjectIdentifier ?? s.Key)} ({s.FileCount} files, {s.Bytes} bytes)");
            console.MarkupLine($"  submitted by {TerminalText.Markup(s.SubmittedBy)} for {TerminalText.Markup(s.Institution)}");
            if (s.LastError is not null) console.MarkupLine($"  last error: {TerminalText.Markup(s.LastError)}");
            if (s.Supersedes is { } previous) console.MarkupLine($"  a new ingest of the upload ingest {previous} took");
            if (s.SupersededBy is { } next) console.MarkupLine($"  a later submission of this upload is ingest {next}");
            foreach (var r in s.Rejections ?? []) console.MarkupLine($"  [red]{TerminalText.Markup(r.Code)}[/] {TerminalText.Markup(r.Message)}");
            var table = new Table().AddColumns("Step", "Attempts", "Started", "Finished", "Seconds");
            foreach (var step in (s.Steps ?? []).Where(x => x.Attempts > 0 || x.StartedAt is not null))
                table.AddRow(step.Step, step.Attempts.ToString(), step.StartedAt?.ToString("HH:mm:ss.fff") ?? "", step.FinishedAt?.ToString("HH:mm:ss.fff") ?? "",
                    step.StartedAt is { } a && step.FinishedAt is { } b ? (b - a).TotalSeconds.ToString("F2") : "");
            console.Write(table);
        });
    }
}
