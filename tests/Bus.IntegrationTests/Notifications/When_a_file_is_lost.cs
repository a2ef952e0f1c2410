using System.Text.Json;
using Bus.Contracts.Fixity;
using Bus.IntegrationTests.Fixity;
using Bus.Notifications.Delivery;

namespace Bus.IntegrationTests.Notifications;

[Collection(NotificationConfig.Collection)]
public class When_a_file_is_lost
{
    [Fact]
    public async Task Should_send_one_signed_webhook_and_one_email_to_the_institution()
    {
        await using var sink = new SmtpSink();
        await using var receiver = new WebhookReceiver();
        await using var stack = await FixityStack.CreateAsync();
        var institution = stack.Institution.Identifier;
        try
        {
            var file = await stack.PreserveAsync("lost.bin");
            await stack.CorruptAsync(FixityStack.Primary, file);
            await stack.CorruptAsync(FixityStack.Replica, file);
            var host = await stack.StartHostAsync(["--roles", "fixity,scheduler,notify", .. NotificationConfig.Args(institution, sink, [("keeper", receiver.Url)])]);

            var checkId = await stack.RequestCheckAsync(host, file.PrimaryCopyId, file.Identifier, FixityStack.Primary);
            Assert.Equal(FixityOutcomes.Lost, (await stack.OutcomeAsync(checkId)).Outcome);
            await NotificationConfig.UntilAsync(() => !receiver.Requests.IsEmpty && !sink.Mails.IsEmpty, "a webhook and an email");
            await NotificationConfig.UntilAsync(() => NotificationConfig.DeliveriesAsync(institution).Result.All(d => d.Status == "delivered"), "both deliveries recorded");

            var hook = Assert.Single(receiver.Requests);
            Assert.True(NotificationPayload.Verify(NotificationConfig.Secret, hook.Body, hook.Signature), $"signature {hook.Signature} does not match the body");
            Assert.StartsWith("sha256=", hook.Signature);
            Assert.StartsWith("application/json", hook.ContentType);
            Assert.True(Guid.TryParse(hook.Delivery, out _));
            Assert.Equal(hook.Delivery, hook.IdempotencyKey);
            using var body = JsonDocument.Parse(hook.Body);
            Assert.Equal("lost", body.RootElement.GetProperty("kind").GetString());
            Assert.Equal(institution, body.RootElement.GetProperty("institution").GetString());
            Assert.Equal(file.Identifier, body.RootElement.GetProperty("identifier").GetString());
            Assert.Equal(hook.Delivery, body.RootElement.GetProperty("deliveryId").GetString());

            var mail = Assert.Single(sink.Mails);
            Assert.Equal([$"keeper@{institution}"], mail.To);
            Assert.Equal("bus@localhost", mail.From);
            Assert.Contains("lost", mail.Header("Subject"));
            Assert.Contains(file.Identifier, mail.Data);
            Assert.True(Guid.TryParse(mail.Header("X-Bus-Delivery"), out var mailDelivery));
            Assert.NotEqual(hook.Delivery, mailDelivery.ToString());

            Assert.Equal(
                [("email", $"keeper@{institution}", "delivered", 1), ("webhook", "keeper", "delivered", 1)],
                await NotificationConfig.DeliveriesAsync(institution));
        }
        finally
        {
            await NotificationConfig.DeleteAsync(institution);
        }
    }
}
