using System.Security.Cryptography;
using System.Text;
using Bus.Notifications;
using Bus.Notifications.Delivery;
using Microsoft.Extensions.Options;

namespace Bus.Tests.Notifications;

public class When_a_notification_is_routed_and_signed
{
    private static Notice Lost(string? institution) =>
        new(Guid.NewGuid(), "lost", NotificationSources.Alert, institution, $"{institution}/bag/data/a.txt", "gone", DateTimeOffset.UtcNow);

    private static NotificationRouting Routing(params RecipientRule[] rules) => new(Options.Create(new NotificationOptions { Recipients = [.. rules] }));

    [Fact]
    public void Should_send_to_the_institutions_recipients_and_everyones_once_each()
    {
        var routing = Routing(
            new RecipientRule { Institution = "demo.edu", Email = ["Keeper@Demo.edu"], Webhooks = ["demo"] },
            new RecipientRule { Institution = "other.edu", Email = ["keeper@other.edu"] },
            new RecipientRule { Institution = "*", Email = ["ops@example.org", "keeper@demo.edu"], Kinds = ["lost"] });

        Assert.Equal(
            [new("webhook", "demo"), new("email", "keeper@demo.edu"), new("email", "ops@example.org")],
            routing.TargetsFor(Lost("demo.edu")));
        Assert.Equal([new DeliveryTarget("email", "ops@example.org"), new("email", "keeper@demo.edu")], routing.TargetsFor(Lost(null)));
        Assert.Empty(routing.TargetsFor(Lost("demo.edu") with { Kind = "repaired", Institution = "third.edu" }));
        Assert.True(routing.AlertScope.Everyone);
        Assert.Equal(["demo.edu", "other.edu", "*"], routing.AlertScope.Institutions);
    }

    [Fact]
    public void Should_make_one_delivery_id_per_notification_channel_and_recipient()
    {
        var notice = Guid.NewGuid();
        Assert.Equal(NoticeIds.Delivery(notice, "email", "a@b.org"), NoticeIds.Delivery(notice, "email", "a@b.org"));
        Assert.NotEqual(NoticeIds.Delivery(notice, "email", "a@b.org"), NoticeIds.Delivery(notice, "email", "c@b.org"));
        Assert.NotEqual(NoticeIds.Delivery(notice, "email", "a@b.org"), NoticeIds.Delivery(Guid.NewGuid(), "email", "a@b.org"));
    }

    [Fact]
    public void Should_sign_the_exact_body_with_hmac_sha256()
    {
        var body = NotificationPayload.Body(Guid.NewGuid(), Lost("demo.edu"));
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("secret"), body));
        Assert.Equal(expected, NotificationPayload.Signature("secret", body));
        Assert.True(NotificationPayload.Verify("secret", body, expected));
        Assert.False(NotificationPayload.Verify("other", body, expected));
        body[^2] ^= 1;
        Assert.False(NotificationPayload.Verify("secret", body, expected));
    }

    [Fact]
    public void Should_double_the_retry_delay_up_to_its_bound()
    {
        var options = new NotificationOptions { RetryDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromMinutes(3) };
        Assert.Equal(
            [30, 60, 120, 180, 180],
            Enumerable.Range(1, 5).Select(a => DeliverNotificationConsumer.RetryDelay(options, a).TotalSeconds));
    }
}
