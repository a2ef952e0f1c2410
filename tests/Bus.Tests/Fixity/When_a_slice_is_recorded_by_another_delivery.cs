using System.Security.Cryptography;
using Bus.Contracts.Fixity;
using MassTransit.Testing;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Tests.Fixity;

public class When_a_slice_is_recorded_by_another_delivery
{
    [Fact]
    public async Task Should_stop_without_a_continuation_or_a_verdict()
    {
        await using var fixity = new FixityHarness(o => o.TimeSlice = TimeSpan.FromMilliseconds(100));
        fixity.Storage.ReadDelay = TimeSpan.FromMilliseconds(15);
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var (primary, _) = fixity.AddFile(content, content, original: content);
        // A duplicate of the first continuation (redelivered after a crash between send and ack) records slice 2 first.
        fixity.Slices.BeforeAdd = s =>
        {
            if (s.Slice == 2 && s.Host != "duplicate") fixity.Slices.Rows.Add(s with { Host = "duplicate" });
        };
        await fixity.StartAsync();

        var checkId = Guid.NewGuid();
        await fixity.Harness.Bus.Publish(new CheckFixity(checkId, primary.StorageRecordId, "test", DateTimeOffset.UtcNow));
        // The second VerifyCopy (the continuation) consumed: it found slice 2 recorded and stopped.
        await HarnessWaits.UntilAsync(() => fixity.Harness.Consumed.Select<VerifyCopy>(HarnessWaits.Recorded).Count() >= 2, "the continuation was consumed");

        var slices = fixity.Slices.All();
        Assert.Equal(2, slices.Count);
        Assert.Equal("duplicate", slices[1].Host);
        await HarnessWaits.CountIsAsync(2, () => fixity.Harness.Consumed.Select<VerifyCopy>(HarnessWaits.Recorded).Count());
        Assert.Empty(fixity.Registry.Checks);
        Assert.False(await fixity.Harness.Published.Any<CopyVerified>(HarnessWaits.Recorded));
    }
}
