using System.Text;
using Bus.Operations.ErrorQueues;

namespace Bus.Tests.Operations;

public class FaultHeadersTests
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes("x");

    [Fact]
    public void Replay_headers_drop_fault_reason_and_host_headers_and_keep_the_rest_in_order()
    {
        var original = new Dictionary<string, object?>
        {
            ["Content-Type"] = Text,
            ["MT-Reason"] = Text,
            ["MT-Fault-ExceptionType"] = Text,
            ["MT-Fault-StackTrace"] = Text,
            ["MT-Host-MachineName"] = Text,
            ["Bus-TraceId"] = 42L,
            ["MT-Activity-Id"] = Text,
        };
        var replay = FaultHeaders.ForReplay(original);
        Assert.Equal(["Content-Type", "Bus-TraceId", "MT-Activity-Id", FaultHeaders.ReplayCount], replay.Keys);
        Assert.Same(Text, replay["Content-Type"]);
        Assert.Equal(1L, replay[FaultHeaders.ReplayCount]);
    }

    [Fact]
    public void Replay_count_goes_up_by_one_each_replay()
    {
        var once = FaultHeaders.ForReplay(null);
        var twice = FaultHeaders.ForReplay(once);
        Assert.Equal(2L, twice[FaultHeaders.ReplayCount]);
        Assert.Equal(2, FaultHeaders.ReplayCountOf(twice));
    }

    [Theory]
    [InlineData("rabbitmq://127.0.0.1:5673/bus/ingest-validate?temporary=false", "ingest-validate_error", "ingest-validate")]
    [InlineData("rabbitmq://rabbit/ingest-validate", "ingest-validate_error", "ingest-validate")]
    [InlineData(null, "ingest-store_skipped", "ingest-store")]
    [InlineData("", "ingest-store_error", "ingest-store")]
    public void Target_is_the_input_address_queue_or_the_error_queue_without_suffix(string? inputAddress, string errorQueue, string expected) =>
        Assert.Equal(expected, ReplayTarget.Resolve(errorQueue, inputAddress));

    [Theory]
    [InlineData("rabbitmq://127.0.0.1:5673/bus/delete-item", "ingest-validate_error")]
    [InlineData("rabbitmq://127.0.0.1:5673/bus/ingest-cleanup", "ingest-cleanup-x_error")]
    [InlineData("rabbitmq://rabbit/ingest-store", "not-an-error-queue")]
    public void A_message_is_never_replayed_into_another_queue_than_its_error_queues_own(string inputAddress, string errorQueue) =>
        Assert.Null(ReplayTarget.Resolve(errorQueue, inputAddress));

    [Fact]
    public void Fault_timestamp_is_read_from_masstransit_text()
    {
        var t = FaultHeaders.AsTimestamp(Encoding.UTF8.GetBytes("2026-11-22T03:10:00.1234567Z"));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 3, 10, 0, TimeSpan.Zero).AddTicks(1234567), t);
    }
}
