using Bus.Cli.Output;
using System.CommandLine;
using Amazon.S3;
using Amazon.S3.Transfer;
using Bus.Contracts.Ingest;
using Bus.Ingest.StateMachines;
using Bus.Operations.Sagas;
using Bus.Persistence.Sagas;
using Bus.Platform.Options;
using Bus.Platform.Storage;
using MassTransit;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary><c>busctl ingest submit|status|cancel</c>: deposit a bag tar and follow its ingest saga.</summary>
public static class IngestCommands
{
    private const string Completed = nameof(IngestStateMachine.Completed);
    private const string Rejected = nameof(IngestStateMachine.Rejected);
    private const string Cancelled = nameof(IngestStateMachine.Cancelled);
    // Faulted is where --wait stops (an operator must act), but a cancel of a Faulted ingest waits for Cancelled.
    private static readonly string[] Terminal = [.. IngestStateMachine.EndStates, nameof(IngestStateMachine.Faulted)];
    private static readonly string[] StepOrder = [IngestSteps.Unpack, IngestSteps.Validate, IngestSteps.Identify, IngestSteps.Store, IngestSteps.Verify, IngestSteps.Record, IngestSteps.CleanUp];

    public static Command Create()
    {
        var ingest = new Command("ingest", "Ingest bags: submit a tar, follow, cancel");
        ingest.Subcommands.Add(Submit());
        ingest.Subcommands.Add(Status());
        ingest.Subcommands.Add(List());
        ingest.Subcommands.Add(Cancel());
        return ingest;
    }

    private static Command Submit()
    {
        var tar = new Argument<FileInfo>("bag.tar") { Description = "The bag serialized as a tar; its name without .tar is the bag name" };
        var institution = new Option<string>("--institution") { Description = "Institution identifier (e.g. test.edu)", Required = true };
        var storageOption = new Option<string?>("--storage-option") { Description = "Storage option (default: the bag's Storage-Option tag)" };
        var wait = new Option<bool>("--wait") { Description = "Follow the ingest to its end: exit 0 Completed, 3 Rejected, 4 Failed/Cancelled/Faulted" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: seconds before giving up (exit 2)", DefaultValueFactory = _ => 3600 };
        // Interim, until busctl submits through the API with a token (docs/security.md): the saga refuses a submitter who is
        // not a registry user of the institution, but only the broker credentials vouch for who typed it.
        var submittedBy = new Option<string?>("--submitted-by")
        {
            Description = "Email of the registry user of the institution who submits (default: $BUS_SUBMITTED_BY)",
        };
        var command = new Command("submit", "Upload a bag tar to the receiving bucket and submit it for ingest") { tar, institution, storageOption, submittedBy, wait, timeout };
        command.SetBusAction(async (parse, context, output, ct) =>
        {
            var file = parse.GetValue(tar)!;
            if (!file.Exists) throw new CliUsageException($"no such file: {file.FullName}");
            var inst = parse.GetValue(institution)!.Trim();
            if (inst.Length == 0 || inst.Any(c => char.IsWhiteSpace(c) || c == '/')) throw new CliUsageException($"invalid --institution '{inst}'");
            var submitter = (parse.GetValue(submittedBy) ?? Environment.GetEnvironmentVariable("BUS_SUBMITTED_BY"))?.Trim();
            if (string.IsNullOrEmpty(submitter))
                throw new CliUsageException("name who submits: --submitted-by <email> or BUS_SUBMITTED_BY, a registry user of the institution (busctl users add)");
            var storage = context.Options<StorageOptions>();
            var s3 = context.Get<IAmazonS3>();
            var key = $"{inst}/{file.Name}";
            try
            {
                S3Limits.CheckKey(key);
                S3Limits.CheckObjectSize(file.Length);
            }
            catch (S3LimitException e)
            {
                throw new CliUsageException($"cannot upload {file.Name}: {e.Message}");
            }
            string etag;
            try
            {
                // TransferUtility switches to multipart above 16 MiB and streams the file: no whole-file buffer.
                using var transfer = new TransferUtility(s3);
                await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = storage.ReceivingBucket, Key = key, FilePath = file.FullName }, ct);
                etag = (await s3.GetObjectMetadataAsync(storage.ReceivingBucket, key, ct)).ETag;
            }
            catch (Exception e) when (e is AmazonS3Exception or Amazon.Runtime.AmazonClientException or HttpRequestException)
            {
                return output.Fail(ExitCodes.UsageOrConnection, $"uploading to s3://{storage.ReceivingBucket}/{key}: {e.Message}");
            }
            // Whole microseconds: PostgreSQL keeps no finer time, and the wait below compares this value with the one the saga stored.
            var submittedAt = DateTimeOffset.UtcNow;
            submittedAt = submittedAt.AddTicks(-(submittedAt.Ticks % TimeSpan.TicksPerMicrosecond));
            var submit = new SubmitIngest(inst, storage.ReceivingBucket, key, etag, file.Length, parse.GetValue(storageOption),
                submitter, submittedAt);
            await using var bus = await ConnectAsync(context, output, ct);
            if (bus is null) return ExitCodes.UsageOrConnection;
            await bus.Bus.Publish(submit, ct);
            var waitFor = TimeSpan.FromSeconds(parse.GetValue(wait) ? parse.GetValue(timeout) : 10);
            var accepted = await ResolveAsync(bus, submit.IngestId, submittedAt, waitFor, ct);
            if (!parse.GetValue(wait))
            {
                var ingestId = accepted?.IngestId ?? submit.IngestId;
                output.Result(new
                    {
                        ingestId, state = accepted?.State ?? "Submitted", acknowledged = accepted is not null, supersedes = accepted?.Supersedes,
                        bucket = submit.Bucket, key, etag = IngestIds.NormalizeETag(etag),
                    },
                    console =>
                    {
                        console.MarkupLine($"submitted [bold]{ingestId}[/] (s3://{TerminalText.Markup(submit.Bucket)}/{TerminalText.Markup(key)})");
                        if (accepted is null) console.MarkupLine("  no ingest host acknowledged it within 10 s; the message waits in RabbitMQ");
                        else if (accepted.Supersedes is { } previous) console.MarkupLine($"  a new ingest of this upload: ingest {previous} ended before");
                    });
                return ExitCodes.Success;
            }
            if (accepted is null) return output.Fail(ExitCodes.UsageOrConnection, $"ingest {submit.IngestId} was not acknowledged within {parse.GetValue(timeout)} s");
            var status = await WaitAsync(bus, accepted.IngestId, TimeSpan.FromSeconds(parse.GetValue(timeout)), output, ct);
            if (status is null) return output.Fail(ExitCodes.UsageOrConnection, $"ingest {accepted.IngestId} did not finish within {parse.GetValue(timeout)} s");
            Print(output, status);
            return ExitCodeOf(status.State);
        });
        return command;
    }

    private static Command Status()
    {
        var id = new Argument<Guid>("ingestId");
        var command = new Command("status", "Show an ingest's state, steps and errors. Exit 1 when unknown.") { id };
        command.SetBusAction(async (parse, context, output, ct) =>
        {
            await using var bus = await ConnectAsync(context, output, ct);
            if (bus is null) return ExitCodes.UsageOrConnection;
            var status = await QueryAsync(bus, parse.GetValue(id), ct);
            if (status is null) return output.Fail(ExitCodes.Negative, $"no ingest {parse.GetValue(id)} (or no host with the ingest role answered)");
            Print(output, status);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var state = new Option<string?>("--state") { Description = $"Only ingests in this state: {string.Join(", ", IngestStateMachine.StateNames)}" };
        var limit = new Option<int>("--limit") { Description = "At most this many, most recently changed first", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List ingests from the saga status view (what 'busctl sagas list --type ingest' shows), most recently changed first") { state, limit };
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var match = parse.GetValue(state) is { } wanted
                ? SagaStates.Match(IngestStateMachine.StateNames, wanted)
                  ?? throw new CliUsageException($"unknown state '{wanted}': expected one of {string.Join(", ", IngestStateMachine.StateNames)}")
                : null;
            var rows = await context.Get<SagaStatusStore>().ListAsync(SagaType, match, null, Math.Clamp(parse.GetValue(limit), 1, 10_000), ct);
            var ingests = rows.Select(r => new
            {
                ingestId = r.CorrelationId, state = r.CurrentState, businessKey = r.BusinessKey, stateSince = r.StateSince, updatedAt = r.UpdatedAt,
                attempts = r.Attempts, lastError = r.LastError, terminal = r.Terminal,
            }).ToList();
            output.Result(new { ingests }, console =>
            {
                var table = new Table().AddColumns("Ingest", "State", "Object or upload", "Since", "Attempts", "Last error");
                foreach (var r in rows)
                    table.AddRow(r.CorrelationId.ToString(), TerminalText.Markup(r.CurrentState), TerminalText.Markup(r.BusinessKey ?? ""),
                        OperationsCommandSupport.Time(r.StateSince ?? r.UpdatedAt), r.Attempts?.ToString() ?? "", TerminalText.Markup(r.LastError ?? ""));
                console.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The ingest module's type in the status views (its AddSagaStatusView migration).</summary>
    private const string SagaType = "ingest";

    private static Command Cancel()
    {
        var id = new Argument<Guid>("ingestId");
        var reason = new Option<string?>("--reason") { Description = "Why (kept on the ingest)" };
        var command = new Command("cancel", "Cancel an unfinished ingest; what it stored is removed. Exit 1 when unknown or already finished.") { id, reason };
        command.SetBusAction(async (parse, context, output, ct) =>
        {
            var ingestId = parse.GetValue(id);
            await using var bus = await ConnectAsync(context, output, ct);
            if (bus is null) return ExitCodes.UsageOrConnection;
            var before = await QueryAsync(bus, ingestId, ct);
            if (before is null) return output.Fail(ExitCodes.Negative, $"no ingest {ingestId}");
            if (IngestStateMachine.EndStates.Contains(before.State))
                return output.Fail(ExitCodes.Negative, $"ingest {ingestId} already ended: {before.State}");
            await bus.Bus.Publish(new CancelIngest(ingestId, Environment.UserName, parse.GetValue(reason)), ct);
            var after = await WaitAsync(bus, ingestId, TimeSpan.FromSeconds(30), null, ct, IngestStateMachine.EndStates);
            if (after is null) return output.Fail(ExitCodes.UsageOrConnection, "the cancel was sent but the ingest did not report an end within 30 s");
            Print(output, after);
            return after.State == Cancelled ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    public static int ExitCodeOf(string state) => state switch
    {
        Completed => ExitCodes.Success,
        Rejected => ExitCodes.IngestRejected,
        _ => ExitCodes.IngestFailed,
    };

    private static async Task<CliBus?> ConnectAsync(CliContext context, Output.CliOutput output, CancellationToken ct)
    {
        try { return await CliBus.StartAsync(context.Options<RabbitMqOptions>(), ct); }
        catch (Exception e) when (e is RabbitMqConnectionException or BrokerUnreachableException or OperationCanceledException or MassTransitException)
        {
            output.Fail(ExitCodes.UsageOrConnection, $"cannot connect to RabbitMQ: {e.Message}");
            return null;
        }
    }

    private static async Task<IngestStatus?> QueryAsync(CliBus bus, Guid id, CancellationToken ct)
    {
        var client = bus.Bus.CreateRequestClient<GetIngestStatus>(RequestTimeout.After(s: 10));
        try
        {
            var response = await client.GetResponse<IngestStatus, IngestNotFound>(new GetIngestStatus(id), ct);
            return response.Is(out Response<IngestStatus>? status) ? status.Message : null;
        }
        catch (RequestTimeoutException) { return null; }
    }

    /// <summary>
    /// The ingest that took this submission: the derived id's saga once it has seen a submit sent at or
    /// after <paramref name="submittedAt"/>, or, when that ingest had ended and handed the submission
    /// on, its successor (followed down the chain). Null when nothing answered in time.
    /// </summary>
    private static async Task<IngestStatus?> ResolveAsync(CliBus bus, Guid id, DateTimeOffset submittedAt, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var followed = new HashSet<Guid> { id };
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            var status = await QueryAsync(bus, id, ct);
            if (status?.LastSubmittedAt >= submittedAt)
            {
                if (status.SupersededBy is not { } next) return status;
                // Successor ids are derived, so a chain cannot loop; a forged or damaged row must not make this spin.
                if (!followed.Add(next)) return status;
                id = next;
                continue;
            }
            await Task.Delay(200, ct);
        }
        return null;
    }

    /// <summary>Polls the saga until a terminal state; with a console, one progress bar per step.</summary>
    private static async Task<IngestStatus?> WaitAsync(CliBus bus, Guid id, TimeSpan timeout, Output.CliOutput? output, CancellationToken ct,
        IReadOnlyList<string>? until = null)
    {
        until ??= Terminal;
        var deadline = DateTime.UtcNow + timeout;
        IngestStatus? last = null;
        async Task Poll(Action<IngestStatus>? show)
        {
            while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
            {
                last = await QueryAsync(bus, id, ct);
                if (last is not null)
                {
                    show?.Invoke(last);
                    if (until.Contains(last.State)) return;
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
                    foreach (var step in status.Steps)
                    {
                        var task = tasks[step.Step];
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
        return last is not null && until.Contains(last.State) ? last : null;
    }

    private static void Print(Output.CliOutput output, IngestStatus s) =>
        output.Result(new
        {
            ingestId = s.IngestId, state = s.State, institution = s.Institution, key = s.Key, objectIdentifier = s.ObjectIdentifier,
            currentStep = s.CurrentStep, lastError = s.LastError, rejections = s.Rejections, fileCount = s.FileCount, bytes = s.Bytes,
            steps = s.Steps, receivedAt = s.ReceivedAt, finishedAt = s.FinishedAt, supersedes = s.Supersedes, supersededBy = s.SupersededBy,
        }, console =>
        {
            var color = s.State switch
            {
                Completed => "green", Cancelled => "yellow",
                _ when Terminal.Contains(s.State) => "red",
                _ => "blue",
            };
            console.MarkupLine($"ingest [bold]{s.IngestId}[/]: [{color}]{s.State}[/] {TerminalText.Markup(s.ObjectIdentifier ?? s.Key)} ({s.FileCount} files, {s.Bytes} bytes)");
            if (s.LastError is not null) console.MarkupLine($"  last error: {TerminalText.Markup(s.LastError)}");
            if (s.Supersedes is { } previous) console.MarkupLine($"  a new ingest of the upload ingest {previous} took");
            if (s.SupersededBy is { } next) console.MarkupLine($"  a later submission of this upload is ingest {next}");
            foreach (var r in s.Rejections) console.MarkupLine($"  [red]{TerminalText.Markup(r.Code)}[/] {TerminalText.Markup(r.Message)}");
            var table = new Table().AddColumns("Step", "Attempts", "Started", "Finished", "Seconds");
            foreach (var step in s.Steps.Where(x => x.Attempts > 0 || x.StartedAt is not null))
                table.AddRow(step.Step, step.Attempts.ToString(), step.StartedAt?.ToString("HH:mm:ss.fff") ?? "", step.FinishedAt?.ToString("HH:mm:ss.fff") ?? "",
                    step.StartedAt is { } a && step.FinishedAt is { } b ? (b - a).TotalSeconds.ToString("F2") : "");
            console.Write(table);
        });
}
