using System.Text.Json;
using Bus.IntegrationTests.Deletion;
using Bus.Notifications.Delivery;

namespace Bus.IntegrationTests.Notifications;

[Collection(NotificationConfig.Collection)]
public class When_a_deletion_awaits_approval
{
    [Fact]
    public async Task Should_tell_the_institution_it_awaits_approval_and_how_it_ended()
    {
        await using var sink = new SmtpSink();
        await using var receiver = new WebhookReceiver();
        await using var world = await DeletionWorld.CreateAsync();
        try
        {
            await using var host = world.StartHost(["--roles", "api,deletion,scheduler,notify", .. NotificationConfig.Args(world.Institution, sink, [("keeper", receiver.Url)])]);
            await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

            var id = await world.RequestAcceptedAsync();
            await NotificationConfig.UntilAsync(() => !receiver.Requests.IsEmpty && !sink.Mails.IsEmpty, "deletion-requested by webhook and email");
            Assert.Equal(0, (await world.DeleteAsAsync(world.Requester, "cancel", id.ToString())).Exit);
            await NotificationConfig.UntilAsync(() => receiver.Requests.Count >= 2 && sink.Mails.Count >= 2, "deletion-cancelled by webhook and email");

            var kinds = receiver.Requests.Select(r =>
            {
                Assert.True(NotificationPayload.Verify(NotificationConfig.Secret, r.Body, r.Signature));
                using var body = JsonDocument.Parse(r.Body);
                Assert.Equal(world.Institution, body.RootElement.GetProperty("institution").GetString());
                Assert.Equal(world.Bag, body.RootElement.GetProperty("identifier").GetString());
                return body.RootElement.GetProperty("kind").GetString();
            }).ToList();
            Assert.Equal(["deletion-requested", "deletion-cancelled"], kinds);
            Assert.All(sink.Mails, m => Assert.Equal([$"keeper@{world.Institution}"], m.To));
            Assert.Equal(["deletion-cancelled", "deletion-requested"], sink.Mails.Select(m => m.Header("X-Bus-Kind")).Order());
        }
        finally
        {
            await NotificationConfig.DeleteAsync(world.Institution);
        }
    }
}
