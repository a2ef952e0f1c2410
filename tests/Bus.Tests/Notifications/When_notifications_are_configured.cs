using Bus.Notifications;
using Bus.Platform.Options;

namespace Bus.Tests.Notifications;

public class When_notifications_are_configured
{
    private static NotificationOptions Valid() => new()
    {
        Webhooks = [new WebhookEndpoint { Name = "ops", Url = "https://hooks.example.org/bus", Secret = new string('s', 40) }],
        Smtp = new SmtpRelay { Host = "smtp.example.org", From = "bus@example.org" },
        Recipients = [new RecipientRule { Institution = "demo.edu", Email = ["keeper@demo.edu"], Webhooks = ["ops"] }],
    };

    private static List<string> Errors(NotificationOptions options, string environment = "Production") =>
        BusOptionsValidator<NotificationOptions>.Check(options, environment).ToList();

    [Fact]
    public void Should_accept_a_complete_configuration_in_production() => Assert.Empty(Errors(Valid()));

    [Theory]
    [InlineData("not a url")]
    [InlineData("hooks.example.org/bus")]
    [InlineData("ftp://hooks.example.org/bus")]
    public void Should_name_a_bad_webhook_url(string url)
    {
        var options = Valid();
        options.Webhooks[0].Url = url;
        Assert.Contains($"Bus:Notifications:Webhooks:0:Url '{url}' is not an absolute http or https URL", Errors(options, "Development"));
    }

    [Fact]
    public void Should_refuse_a_webhook_without_a_secret_in_every_environment()
    {
        var options = Valid();
        options.Webhooks[0].Secret = "";
        Assert.Contains(Errors(options, "Development"), e => e.StartsWith("Bus:Notifications:Webhooks:0:Secret must be set", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_refuse_short_or_default_secrets_and_clear_text_in_production_only()
    {
        var options = Valid();
        options.Webhooks[0].Secret = "bus-secret";
        options.Webhooks[0].Url = "http://hooks.example.org/bus";
        options.Smtp.Security = "None";
        var production = Errors(options);
        Assert.Contains(production, e => e.StartsWith("Bus:Notifications:Webhooks:0:Secret is a default password", StringComparison.Ordinal));
        Assert.Contains(production, e => e.StartsWith("Bus:Notifications:Webhooks:0:Secret must be at least 32", StringComparison.Ordinal));
        Assert.Contains(production, e => e.StartsWith("Bus:Notifications:Webhooks:0:Url must be https", StringComparison.Ordinal));
        Assert.Contains(production, e => e.StartsWith("Bus:Notifications:Smtp:Security None", StringComparison.Ordinal));
        Assert.Empty(Errors(options, "Development"));
    }

    [Fact]
    public void Should_name_unknown_webhooks_bad_addresses_and_a_missing_relay()
    {
        var options = Valid();
        options.Recipients[0].Webhooks = ["nobody"];
        options.Recipients[0].Email = ["not-an-address"];
        options.Smtp = new SmtpRelay();
        var errors = Errors(options, "Development");
        Assert.Contains("Bus:Notifications:Recipients:0:Webhooks:0 'nobody' is not the Name of a webhook in Bus:Notifications:Webhooks", errors);
        Assert.Contains("Bus:Notifications:Recipients:0:Email:0 'not-an-address' is not an email address", errors);
        Assert.Contains("Bus:Notifications:Smtp:Host must be set: recipients have email addresses", errors);
    }

    [Fact]
    public void Should_keep_test_hosts_on_loopback()
    {
        var errors = Errors(Valid(), "Test");
        Assert.Contains("Bus:Notifications points at 'hooks.example.org', but the Test environment only allows loopback endpoints", errors);
        Assert.Contains("Bus:Notifications points at 'smtp.example.org', but the Test environment only allows loopback endpoints", errors);
    }
}
