using MassTransit;

namespace Bus.Platform.Messaging;

/// <summary>
/// Who published a message, as RabbitMQ vouches for it. A message's AMQP <c>user_id</c> property, when
/// set, must equal the user of the connection that published it (RabbitMQ refuses the publish
/// otherwise, unless that user has the <c>impersonator</c> tag). Hosts and busctl stamp every message
/// they send with their own user (<see cref="Stamp"/>); integrators publish as their institution's
/// broker user (<see cref="IntegratorUser"/>), which may write only the SubmitIngest exchange.
/// See docs/security.md.
/// </summary>
public static class BrokerIdentity
{
    /// <summary>Broker users of integrators are named after their institution: <c>integrator.&lt;institution&gt;</c>.</summary>
    public const string IntegratorPrefix = "integrator.";

    /// <summary>The exchange MassTransit publishes SubmitIngest to: the only thing an integrator may write.</summary>
    public const string SubmitIngestExchange = "Bus.Contracts.Ingest:SubmitIngest";

    public static string IntegratorUser(string institution) => IntegratorPrefix + institution;

    /// <summary>The institution an integrator broker user belongs to, or null when <paramref name="user"/> is not one.</summary>
    public static string? IntegratorInstitution(string? user) =>
        user is not null && user.StartsWith(IntegratorPrefix, StringComparison.Ordinal) && user.Length > IntegratorPrefix.Length
            ? user[IntegratorPrefix.Length..]
            : null;

    /// <summary>
    /// The message's AMQP <c>user_id</c>. <paramref name="overRabbitMq"/> is false when the message did not
    /// come through RabbitMQ (the in-memory test harness), where there is no broker identity to check.
    /// </summary>
    public static string? UserIdOf(ConsumeContext context, out bool overRabbitMq)
    {
        overRabbitMq = context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var amqp);
        return overRabbitMq && amqp!.Properties.IsUserIdPresent() && !string.IsNullOrEmpty(amqp.Properties.UserId) ? amqp.Properties.UserId : null;
    }

    /// <summary>Sets <c>user_id</c> to this process's broker user, so a consumer can tell host messages from an integrator's.</summary>
    public static void Stamp(SendContext context, string user)
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var amqp)) amqp.BasicProperties.UserId = user;
    }
}
