using Bus.Host;
using Bus.IntegrationTests.Registry;
using Bus.IntegrationTests.Support;
using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.IntegrationTests.Notifications;

[Collection(NotificationConfig.Collection)]
public class When_a_webhook_receiver_fails
{
    [Fact]
    public async Task Should_retry_until_it_answers_2xx_and_record_a_receiver_that_never_does_as_failed()
    {
        await using var sink = new SmtpSink();
        await using var flaky = new WebhookReceiver(500);
        await using var down = new WebhookReceiver(500, 503, 500, 500, 500, 500);
        await using var institution = await TestInstitution.CreateAsync();
        await using var vhost = await TemporaryVirtualHost.CreateAsync();
        var app = BusHost.Build(
        [
            "--environment", "Test", "--roles", "notify,scheduler", "--Bus:Host:HealthUrl=http://127.0.0.1:0",
            $"--Bus:RabbitMq:VirtualHost={vhost.Name}", "--Bus:Postgres:MigrateAtStartup=true",
            .. NotificationConfig.Args(institution.Identifier, sink, [("flaky", flaky.Url), ("down", down.Url)], maxAttempts: 3),
        ]);
        try
        {
            await app.StartAsync();
            var obj = await institution.Store.UpsertObjectAsync(institution.Bag("bag"));
            await institution.Store.AddAlertAsync(new AlertRecord(Guid.NewGuid(), AlertKinds.Lost, obj.Id, null, obj.Identifier, "every copy of a file failed its check"));

            await NotificationConfig.UntilAsync(() => flaky.Requests.Count >= 2 && down.Requests.Count >= 3, "the flaky receiver's retry and the dead receiver's three attempts");
            await NotificationConfig.UntilAsync(() => NotificationConfig.DeliveriesAsync(institution.Identifier).Result.All(d => d.Status != "pending"), "every delivery settled");

            Assert.Equal(
                [("email", $"keeper@{institution.Identifier}", "delivered", 1), ("webhook", "down", "failed", 3), ("webhook", "flaky", "delivered", 2)],
                await NotificationConfig.DeliveriesAsync(institution.Identifier));
            var attempts = flaky.Requests.ToArray();
            Assert.Equal([500, 200], attempts.Select(a => a.Answered));
            Assert.Equal(attempts[0].Delivery, attempts[1].Delivery);
            Assert.Equal(attempts[0].Body, attempts[1].Body);

            // Settled deliveries are not attempted again: three retry delays later nothing more has arrived.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(2, flaky.Requests.Count);
            Assert.Equal(3, down.Requests.Count);
            Assert.Single(sink.Mails);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await NotificationConfig.DeleteAsync(institution.Identifier);
        }
    }
}
