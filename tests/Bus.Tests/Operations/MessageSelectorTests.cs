using System.Text;
using Bus.Operations.ErrorQueues;
using RabbitMQ.Client;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Operations;

public class MessageSelectorTests
{
    private static ErrorMessage Message(string id, string messageType, string exceptionType)
    {
        var properties = new BasicProperties
        {
            MessageId = id,
            Headers = new Dictionary<string, object?>
            {
                [FaultHeaders.MessageType] = Encoding.UTF8.GetBytes(messageType),
                [FaultHeaders.ExceptionType] = Encoding.UTF8.GetBytes(exceptionType),
            },
        };
        return new ErrorMessage("q_error", 0, 1, properties, "{}"u8.ToArray());
    }

    [Fact]
    public void No_selector_is_refused_with_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => MessageSelector.Create([], false, null, " "));
        Assert.Contains("--message-id", e.Message);
        Assert.Contains("--all", e.Message);
    }

    [Fact]
    public void Malformed_message_id_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => MessageSelector.Create(["not-a-guid"], false, null, null));
        Assert.Contains("'not-a-guid'", e.Message);
    }

    [Theory]
    [InlineData(true, "System.Exception", null)]
    [InlineData(false, "System.Exception", null)]
    public void All_or_ids_cannot_be_mixed_with_other_selectors(bool all, string? exceptionType, string? messageType)
    {
        var ids = all ? Array.Empty<string>() : [Guid.NewGuid().ToString()];
        Assert.Throws<ArgumentException>(() => MessageSelector.Create(ids, all, exceptionType, messageType));
    }

    [Fact]
    public void Ids_select_only_those_messages_whatever_their_case()
    {
        var id = Guid.NewGuid();
        var selector = MessageSelector.Create([id.ToString().ToUpperInvariant()], false, null, null);
        Assert.True(selector.Matches(Message(id.ToString(), "urn:message:A:B", "X")));
        Assert.False(selector.Matches(Message(Guid.NewGuid().ToString(), "urn:message:A:B", "X")));
    }

    [Theory]
    [InlineData("urn:message:Bus.Contracts:Ping")]
    [InlineData("Bus.Contracts.Ping")]
    [InlineData("ping")]
    public void Message_type_matches_urn_full_or_short_name(string wanted)
    {
        var selector = MessageSelector.Create(null, false, null, wanted);
        Assert.True(selector.Matches(Message(Guid.NewGuid().ToString(), "urn:message:Bus.Contracts:Ping", "System.Exception")));
        Assert.False(selector.Matches(Message(Guid.NewGuid().ToString(), "urn:message:Bus.Contracts:Pong", "System.Exception")));
    }

    [Fact]
    public void Message_type_matches_the_dotnet_name_masstransit_writes_for_a_nested_type()
    {
        var m = Message(Guid.NewGuid().ToString(), "Bus.Ingest.Stages+ValidateBag", "System.Exception");
        Assert.True(MessageSelector.Create(null, false, null, "ValidateBag").Matches(m));
        Assert.True(MessageSelector.Create(null, false, null, "Bus.Ingest.Stages+ValidateBag").Matches(m));
    }

    [Fact]
    public void Message_and_exception_type_together_select_one_group()
    {
        var selector = MessageSelector.Create(null, false, "InvalidOperationException", "Ping");
        Assert.True(selector.Matches(Message(Guid.NewGuid().ToString(), "urn:message:Bus.Contracts:Ping", "System.InvalidOperationException")));
        Assert.False(selector.Matches(Message(Guid.NewGuid().ToString(), "urn:message:Bus.Contracts:Ping", "System.TimeoutException")));
        Assert.False(selector.Matches(Message(Guid.NewGuid().ToString(), "urn:message:Bus.Contracts:Pong", "System.InvalidOperationException")));
    }

    [Fact]
    public void Message_type_falls_back_to_the_envelope_when_the_header_is_missing()
    {
        var body = """{"messageId":"x","messageType":["urn:message:Bus.Contracts:Ping"],"message":{}}"""u8.ToArray();
        var m = new ErrorMessage("q_error", 0, 1, new BasicProperties { ContentType = "application/vnd.masstransit+json" }, body);
        Assert.Equal("urn:message:Bus.Contracts:Ping", m.PrimaryMessageType);
        Assert.True(MessageSelector.Create(null, false, null, "Ping").Matches(m));
    }
}
