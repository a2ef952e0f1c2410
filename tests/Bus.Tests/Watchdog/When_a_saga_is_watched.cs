using Bus.Deletion;
using Bus.Deletion.StateMachines;
using Bus.Fixity;
using Bus.Fixity.StateMachines;
using Bus.Ingest;
using Bus.Ingest.StateMachines;
using Bus.Ingest.StateMachines.Messages;
using Bus.Persistence.Sagas;
using Bus.Restore;
using Bus.Restore.StateMachines;
using Bus.Tests.Ingest;
using Bus.Workflows.Watchdog;
using MassTransit.Testing;
using Microsoft.Extensions.Options;

namespace Bus.Tests.Watchdog;

public sealed class When_a_saga_is_watched
{
    public static TheoryData<string> Sagas => ["ingest", "fixity", "deletion", "restore"];

    /// <summary>Every state a machine declares is an end state, watched, or named as left alone: a new state cannot be forgotten.</summary>
    [Theory]
    [MemberData(nameof(Sagas))]
    public void Every_state_is_watched_left_alone_or_an_end(string sagaType)
    {
        var (watch, states, ends) = sagaType switch
        {
            "ingest" => ((ISagaWatch)IngestWatch.Create(new IngestOptions(), new IngestQueues(Options.Create(new IngestOptions()))),
                IngestStateMachine.StateNames, IngestStateMachine.EndStates),
            // A fixity check that ends (Intact, Repaired, Lost) is finalized: its row is gone.
            "fixity" => (FixityWatch.Create(new FixityOptions()), SagaStates.Declared<FixityCheckStateMachine>(), (IReadOnlyList<string>)[]),
            "deletion" => (DeletionWatch.Create(new DeletionOptions()), DeletionStateMachine.StateNames,
                ["Completed", "Rejected", "Cancelled", "Expired", "Refused"]),
            _ => (RestoreWatch.Create(new RestoreOptions()), RestoreStateMachine.StateNames, ["Completed", "Failed"]),
        };
        Assert.Equal(sagaType, watch.SagaType);
        Assert.Empty(watch.Watched.Keys.Intersect(watch.LeftAlone.Keys));
        Assert.Equal(states.Except(ends).Order(), watch.Watched.Keys.Concat(watch.LeftAlone.Keys).Order());
        Assert.All(watch.Watched.Values, limit => Assert.True(limit > TimeSpan.FromMinutes(10), $"{limit} is shorter than a step's retries"));
    }

    /// <summary>The command the watchdog would send in each step state is the one the state machine sent on entering it.</summary>
    [Fact]
    public async Task The_ingest_command_for_each_state_is_the_one_the_saga_sent()
    {
        var options = new IngestOptions();
        var watch = IngestWatch.Create(options, new IngestQueues(Options.Create(options)));
        Type[] sent = [typeof(UnpackBag), typeof(ValidateBag), typeof(IdentifyFormats), typeof(StoreFiles), typeof(VerifyCopies), typeof(RecordIngest), typeof(CleanUpIngest)];
        for (var steps = 0; steps < sent.Length; steps++)
        {
            await using var h = await IngestSagaHarness.StartAsync();
            var id = await h.DriveAsync(steps);
            var saga = h.Saga.Sagas.Contains(id)!;
            var expected = await h.Harness.Sent.SelectAsync(m => m.MessageType == sent[steps]).First();
            var command = watch.CommandFor(saga);
            Assert.NotNull(command);
            Assert.Equal(expected.MessageObject, command.Message);
            Assert.Equal(expected.Context.DestinationAddress!.AbsolutePath.Split('/')[^1], command.Address.AbsolutePath);
        }
    }

    [Fact]
    public void No_command_is_given_for_a_state_left_alone_or_ended()
    {
        var options = new IngestOptions();
        var watch = IngestWatch.Create(options, new IngestQueues(Options.Create(options)));
        Assert.Null(watch.CommandFor(new IngestState { CurrentState = "Faulted" }));
        Assert.Null(watch.CommandFor(new IngestState { CurrentState = "Completed" }));
    }

    /// <summary>
    /// The limit covers two slices, every retry at its longest backoff and every redelivery: ingest's defaults are
    /// 2 × 5 min + 4 deliveries × 5 retries × 20 s + (1 + 5 + 25) min = 47 min 40 s, before the margin.
    /// </summary>
    [Fact]
    public void The_limit_is_derived_from_the_slice_and_the_retry_policy()
    {
        var options = new IngestOptions();
        var watch = IngestWatch.Create(options, new IngestQueues(Options.Create(options)));
        Assert.Equal(TimeSpan.FromMinutes(47) + TimeSpan.FromSeconds(40), watch.Watched["Storing"]);
        var o = new WatchdogOptions();
        Assert.Equal(watch.Watched["Storing"] + TimeSpan.FromMinutes(10), o.LimitFor("ingest", "Storing", watch.Watched["Storing"]));
        o.LimitSeconds["ingest"] = 30;
        o.LimitSeconds["ingest.Storing"] = 90;
        Assert.Equal(TimeSpan.FromSeconds(90), o.LimitFor("ingest", "Storing", watch.Watched["Storing"]));
        Assert.Equal(TimeSpan.FromSeconds(30), o.LimitFor("ingest", "Verifying", watch.Watched["Verifying"]));
        Assert.Equal(watch.Watched["Verifying"] + TimeSpan.FromMinutes(10), o.LimitFor("fixity", "Verifying", watch.Watched["Verifying"]));
    }

    [Fact]
    public void Bad_watchdog_options_are_named()
    {
        var o = new WatchdogOptions { PollSeconds = 0, MaxResends = 99, LimitSeconds = { ["ingest.Storing"] = 0 } };
        Assert.Equal(["PollSeconds", "MaxResends", "LimitSeconds:ingest.Storing"], o.Validate().Select(e => e.Key));
    }
}
