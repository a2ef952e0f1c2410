using Microsoft.Extensions.Options;

namespace Bus.Notifications;

/// <summary>One recipient of one notification: a webhook (by name) or an email address.</summary>
public sealed record DeliveryTarget(string Channel, string Target);

/// <summary>Who gets a notification: every rule for its institution or for <c>*</c> whose kinds include it, each recipient once.</summary>
public sealed class NotificationRouting(IOptions<NotificationOptions> options)
{
    public bool HasRecipients => options.Value.Recipients.Count > 0;

    /// <summary>Whose alerts this host claims: only institutions some rule names, unless a rule is for everyone.</summary>
    public Data.AlertScope AlertScope => new(
        options.Value.Recipients.Any(r => r.Institution == RecipientRule.Everyone),
        options.Value.Recipients.Select(r => r.Institution.ToLowerInvariant()).Distinct().ToList());

    public IReadOnlyList<DeliveryTarget> TargetsFor(Notice notice)
    {
        var targets = new List<DeliveryTarget>();
        foreach (var rule in options.Value.Recipients)
        {
            var institutionMatches = rule.Institution == RecipientRule.Everyone
                || (notice.Institution is not null && string.Equals(rule.Institution, notice.Institution, StringComparison.OrdinalIgnoreCase));
            if (!institutionMatches) continue;
            if (rule.Kinds.Count > 0 && !rule.Kinds.Contains(notice.Kind, StringComparer.OrdinalIgnoreCase)) continue;
            targets.AddRange(rule.Webhooks.Select(w => new DeliveryTarget(NotificationChannels.Webhook, w)));
            targets.AddRange(rule.Email.Select(e => new DeliveryTarget(NotificationChannels.Email, e.Trim().ToLowerInvariant())));
        }
        return targets.Distinct().ToList();
    }
}
