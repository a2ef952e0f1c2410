using Bus.Platform.Options;
using MimeKit;

namespace Bus.Notifications;

/// <summary>
/// Where alerts and workflow outcomes are sent (section <c>Bus:Notifications</c>), validated when a process
/// starts: a webhook URL that is not absolute http(s), a recipient naming an unknown webhook or an invalid
/// address, or email recipients without an SMTP relay stop the host with the key to fix.
/// </summary>
public sealed class NotificationOptions : IBusOptions
{
    public const string Section = "Bus:Notifications";
    public string SectionName => Section;

    public static readonly IReadOnlyList<string> SmtpSecurityModes = ["StartTls", "SslOnConnect", "None"];

    /// <summary>How often a notify host looks for alerts not yet sent.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Alerts older than this when first seen are not sent (a first start does not mail the whole history).</summary>
    public TimeSpan MaxAlertAge { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Attempts per delivery (webhook call or email) before it is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 10;
    /// <summary>Wait after the first failed attempt; doubled after each further one, at most <see cref="RetryMaxDelay"/> (PostgreSQL scheduler).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Bound on one webhook call or one SMTP session: a slow receiver costs at most this per attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long notifications and their deliveries are kept once none is pending (at least twice <see cref="MaxAlertAge"/>).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
    /// <summary>Deliveries one host attempts at once.</summary>
    public int ConcurrentDeliveries { get; set; } = 8;

    public List<WebhookEndpoint> Webhooks { get; set; } = [];
    public SmtpRelay Smtp { get; set; } = new();
    /// <summary>Who gets what: per institution (or <c>*</c> for every notification), email addresses and webhook names.</summary>
    public List<RecipientRule> Recipients { get; set; } = [];

    public IEnumerable<OptionError> Validate()
    {
        if (PollInterval <= TimeSpan.Zero) yield return new(nameof(PollInterval), "must be positive");
        if (MaxAlertAge <= TimeSpan.Zero) yield return new(nameof(MaxAlertAge), "must be positive");
        if (Retention < MaxAlertAge * 2) yield return new(nameof(Retention), $"must be at least twice MaxAlertAge ({MaxAlertAge * 2}): an alert is looked for as long as MaxAlertAge");
        if (MaxAttempts is < 1 or > 100) yield return new(nameof(MaxAttempts), $"must be 1-100 (got {MaxAttempts})");
        if (RetryDelay <= TimeSpan.Zero) yield return new(nameof(RetryDelay), "must be positive");
        if (RetryMaxDelay < RetryDelay) yield return new(nameof(RetryMaxDelay), $"must be at least RetryDelay ({RetryDelay})");
        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromMinutes(5))
            yield return new(nameof(RequestTimeout), $"must be 00:00:00.1-00:05:00 (got {RequestTimeout})");
        if (ConcurrentDeliveries is < 1 or > 64) yield return new(nameof(ConcurrentDeliveries), $"must be 1-64 (got {ConcurrentDeliveries})");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Webhooks.Count; i++)
        {
            var w = Webhooks[i];
            var key = $"{nameof(Webhooks)}:{i}";
            if (string.IsNullOrWhiteSpace(w.Name)) yield return new($"{key}:Name", "must be set (recipients name the webhook)");
            else if (!names.Add(w.Name)) yield return new($"{key}:Name", $"'{w.Name}' is used by two webhooks");
            if (w.Uri is null) yield return new($"{key}:Url", $"'{w.Url}' is not an absolute http or https URL");
            if (string.IsNullOrEmpty(w.Secret)) yield return new($"{key}:Secret", "must be set: every webhook body is signed with it (X-Bus-Signature)");
        }

        var anyEmail = false;
        for (var i = 0; i < Recipients.Count; i++)
        {
            var r = Recipients[i];
            var key = $"{nameof(Recipients)}:{i}";
            if (string.IsNullOrWhiteSpace(r.Institution)) yield return new($"{key}:Institution", "must be set (an institution identifier, or * for every notification)");
            if (r.Email.Count == 0 && r.Webhooks.Count == 0) yield return new(key, "names no Email address and no Webhooks");
            for (var j = 0; j < r.Email.Count; j++)
            {
                anyEmail = true;
                if (!IsAddress(r.Email[j])) yield return new($"{key}:Email:{j}", $"'{r.Email[j]}' is not an email address");
            }
            for (var j = 0; j < r.Webhooks.Count; j++)
                if (!names.Contains(r.Webhooks[j])) yield return new($"{key}:Webhooks:{j}", $"'{r.Webhooks[j]}' is not the Name of a webhook in {Section}:Webhooks");
            if (r.Kinds.Any(string.IsNullOrWhiteSpace)) yield return new($"{key}:Kinds", "must not hold an empty kind");
        }

        if (anyEmail || !string.IsNullOrEmpty(Smtp.Host))
        {
            if (string.IsNullOrWhiteSpace(Smtp.Host)) yield return new("Smtp:Host", "must be set: recipients have email addresses");
            if (Smtp.Port is < 1 or > 65535) yield return new("Smtp:Port", $"must be 1-65535 (got {Smtp.Port})");
            if (!SmtpSecurityModes.Contains(Smtp.Security)) yield return new("Smtp:Security", $"must be one of {string.Join(", ", SmtpSecurityModes)} (got '{Smtp.Security}')");
            if (!IsAddress(Smtp.From)) yield return new("Smtp:From", $"'{Smtp.From}' is not an email address");
            if (string.IsNullOrEmpty(Smtp.Username) != string.IsNullOrEmpty(Smtp.Password)) yield return new("Smtp:Password", "Username and Password are set together or not at all");
        }
    }

    public IEnumerable<string> Endpoints() =>
        Webhooks.Where(w => w.Uri is not null).Select(w => w.Uri!.Host)
            .Concat(string.IsNullOrWhiteSpace(Smtp.Host) ? [] : [Smtp.Host]);

    public IEnumerable<(string Key, string? Value)> Secrets()
    {
        for (var i = 0; i < Webhooks.Count; i++) yield return ($"{nameof(Webhooks)}:{i}:Secret", Webhooks[i].Secret);
        if (!string.IsNullOrEmpty(Smtp.Username)) yield return ("Smtp:Password", Smtp.Password);
    }

    /// <summary>Production: secrets long enough to resist guessing, and nothing signed or mailed in clear text to another machine.</summary>
    public IEnumerable<OptionError> ValidateProduction()
    {
        for (var i = 0; i < Webhooks.Count; i++)
        {
            var w = Webhooks[i];
            if (w.Secret.Length is > 0 and < MinProductionSecretLength)
                yield return new($"{nameof(Webhooks)}:{i}:Secret", $"must be at least {MinProductionSecretLength} characters in Production");
            if (w.Uri is { Scheme: "http" } u && !BusOptionsValidator<NotificationOptions>.IsLoopback(u.Host))
                yield return new($"{nameof(Webhooks)}:{i}:Url", "must be https in Production (alert bodies name institutions and objects)");
        }
        if (!string.IsNullOrWhiteSpace(Smtp.Host) && Smtp.Security == "None" && !BusOptionsValidator<NotificationOptions>.IsLoopback(Smtp.Host))
            yield return new("Smtp:Security", "None (clear text) is refused in Production for a relay that is not on this machine");
    }

    public const int MinProductionSecretLength = 32;

    private static bool IsAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && MailboxAddress.TryParse(value, out var address) && address.Address.Contains('@', StringComparison.Ordinal);
}

public sealed class WebhookEndpoint
{
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    /// <summary>Key of the HMAC-SHA256 signature of every body (<c>X-Bus-Signature: sha256=&lt;hex&gt;</c>); no default.</summary>
    public string Secret { get; set; } = "";

    public Uri? Uri => System.Uri.TryCreate(Url, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https") && u.Host.Length > 0 ? u : null;
}

public sealed class SmtpRelay
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;
    /// <summary>StartTls (default), SslOnConnect (implicit TLS, port 465) or None (clear text: loopback relays only in Production).</summary>
    public string Security { get; set; } = "StartTls";
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "";
}

public sealed class RecipientRule
{
    /// <summary>An institution identifier (its objects' alerts and workflows), or <c>*</c> for every notification, including those of no institution.</summary>
    public string Institution { get; set; } = "";
    public List<string> Email { get; set; } = [];
    /// <summary>Names of entries in <see cref="NotificationOptions.Webhooks"/>.</summary>
    public List<string> Webhooks { get; set; } = [];
    /// <summary>Notification kinds sent to these recipients; empty means every kind.</summary>
    public List<string> Kinds { get; set; } = [];

    public const string Everyone = "*";
}
