using MassTransit;
using Microsoft.Extensions.Logging;

namespace Bus.Platform.Messaging;

/// <summary>
/// Puts the message's correlation, message and conversation ids in a logging scope, so every
/// log line written while it is handled can be traced back to its saga and message.
/// </summary>
public sealed class LogScopeFilter<T>(ILogger<LogScopeFilter<T>> logger) : IFilter<ConsumeContext<T>> where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["CorrelationId"] = context.CorrelationId ?? context.ConversationId,
            ["MessageId"] = context.MessageId,
            ["MessageType"] = typeof(T).Name,
        });
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("logScope");
}
