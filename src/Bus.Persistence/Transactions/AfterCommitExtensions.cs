using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.Persistence.Transactions;

public static class AfterCommitExtensions
{
    /// <summary>
    /// Runs <paramref name="action"/> when the message's transaction commits (never when it rolls back), or
    /// at once when the message has no open transaction (an endpoint without the PostgreSQL outbox, a test
    /// harness). For counting what a consumer or saga did exactly once per committed message.
    /// </summary>
    public static void AfterCommit(this PipeContext context, Action action)
    {
        if (!context.TryAfterCommit(action)) action();
    }

    /// <summary>As <see cref="AfterCommit"/>, but returns false (and never runs the action) when the message has no open transaction.</summary>
    public static bool TryAfterCommit(this PipeContext context, Action action)
    {
        if (!context.TryGetPayload<IServiceProvider>(out var services)
            || services.GetService<MessageTransaction>() is not { IsActive: true } transaction) return false;
        transaction.AfterCommit(action);
        return true;
    }
}
