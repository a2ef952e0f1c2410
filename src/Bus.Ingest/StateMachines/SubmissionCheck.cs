using Bus.Contracts.Ingest;
using Bus.Platform.Messaging;
using Bus.Platform.Options;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.StateMachines;

/// <summary>Which institution a registry user belongs to (an interface so the saga's checks run on the in-memory harness).</summary>
public interface ISubmitterDirectory
{
    Task<string?> InstitutionOfAsync(string email, CancellationToken cancellationToken);
}

public sealed class RegistrySubmitterDirectory(RegistryDatabase registry) : ISubmitterDirectory
{
    public Task<string?> InstitutionOfAsync(string email, CancellationToken cancellationToken) =>
        registry.RunAsync(async store => (await store.FindUserAsync(email.Trim(), cancellationToken))?.Institution, cancellationToken);
}

/// <summary>
/// Whether a SubmitIngest may start an ingest. A submit is input from outside: it may only name a tar
/// in the receiving bucket under its institution's prefix (<c>&lt;institution&gt;/</c>), and it must be
/// attributable to someone of that institution. Over RabbitMQ the AMQP <c>user_id</c> (which the broker
/// verifies) says who published it: an integrator broker user may submit only for its own institution
/// (and is then the submitter); any other user (hosts, busctl, the API) publishes on behalf of
/// <see cref="SubmitIngest.SubmittedBy"/>, who must be a registry user of the institution. A message
/// without <c>user_id</c> over RabbitMQ is unattributed and refused. See docs/security.md.
/// </summary>
public static class SubmissionCheck
{
    /// <summary>Why <paramref name="m"/> is refused, or null; <paramref name="submitter"/> is who it is attributed to.</summary>
    public static async Task<(string? Refusal, string Submitter)> CheckAsync(ConsumeContext context, SubmitIngest m)
    {
        var receiving = context.GetServiceOrCreateInstance<IOptions<StorageOptions>>().Value.ReceivingBucket;
        var brokerUser = BrokerIdentity.UserIdOf(context, out var overRabbitMq);
        var submitter = m.SubmittedBy?.Trim() ?? "";
        if (m.Bucket != receiving)
            return ($"the tar must be in the receiving bucket '{Cut(receiving)}', not '{Cut(m.Bucket)}'", submitter);
        if (string.IsNullOrWhiteSpace(m.Institution) || m.Key?.StartsWith(m.Institution + "/", StringComparison.Ordinal) != true)
            return ($"key '{Cut(m.Key)}' is not under the institution's receiving prefix '{Cut(m.Institution)}/'", submitter);
        if (BrokerIdentity.IntegratorInstitution(brokerUser) is { } own)
            return own == m.Institution
                ? (null, brokerUser!)
                : ($"broker user '{Cut(brokerUser)}' may submit only for institution '{Cut(own)}', not '{Cut(m.Institution)}'", brokerUser!);
        if (overRabbitMq && brokerUser is null)
            return ("the message carries no AMQP user_id: a submit must say (and RabbitMQ verify) who published it", submitter);
        if (submitter.Length == 0)
            return ("the submit names no submitter (SubmittedBy)", submitter);
        var institution = await context.GetServiceOrCreateInstance<ISubmitterDirectory>().InstitutionOfAsync(submitter, context.CancellationToken);
        if (institution != m.Institution)
            return (institution is null
                ? $"submitter '{Cut(submitter)}' is not a registry user (busctl users add)"
                : $"submitter '{Cut(submitter)}' belongs to institution '{Cut(institution)}', not '{Cut(m.Institution)}'", submitter);
        return (null, submitter);
    }

    /// <summary>Message text quoted into a refusal is cut, so a forged message cannot grow the saga row without bound.</summary>
    private static string Cut(string? text) => text is null ? "" : text.Length <= 200 ? text : text[..200] + "…";
}
