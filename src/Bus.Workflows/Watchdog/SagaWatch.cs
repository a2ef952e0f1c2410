using Bus.Persistence.Sagas;
using MassTransit;
using Npgsql;

namespace Bus.Workflows.Watchdog;

/// <summary>A step command the watchdog sends again: to which queue, and the message.</summary>
public sealed record StepCommand(Uri Address, object Message);

/// <summary>What the watchdog knows of one saga type (see <see cref="SagaWatch{TSaga}"/>).</summary>
public interface ISagaWatch
{
    /// <summary>Short lowercase name, as in bus.saga_status (<c>ingest</c>).</summary>
    string SagaType { get; }
    /// <summary>The saga's table, schema-qualified.</summary>
    string Table { get; }
    /// <summary>The saga type as bus.saga_transitions names it (the state class name).</summary>
    string TransitionSagaType { get; }
    /// <summary>The saga column whose value keys its steps' heartbeats (the workflow id its steps run under).</summary>
    string HeartbeatColumn { get; }
    /// <summary>Each watched state with its derived limit (<see cref="StuckLimit"/>), before options apply.</summary>
    IReadOnlyDictionary<string, TimeSpan> Watched { get; }
    /// <summary>Every other non-terminal state, with why the watchdog leaves it alone.</summary>
    IReadOnlyDictionary<string, string> LeftAlone { get; }
    /// <summary>The row's command for <paramref name="state"/>, or null when the row is gone or no longer in that state.</summary>
    Task<StuckSaga?> ReadAsync(NpgsqlConnection connection, Guid correlationId, string state, CancellationToken cancellationToken);
}

/// <summary>A stalled saga as the watchdog acts on it: the command its state is waiting on and what to name it by in an alert.</summary>
public sealed record StuckSaga(StepCommand Command, string? Identifier);

/// <summary>
/// "The command for my current state", declared once per saga type beside its state machine: for each state in
/// which the saga waits on a step, the command that step consumes, built from the saga row alone (step commands
/// carry ids and what the row holds, never data of their own). States in which the saga waits on something else
/// (a person, the scheduler, an operator's replay) are named with <see cref="Leave"/>, so a test can check that
/// every state is one or the other. Nothing here changes the state machine: the watchdog only sends again what
/// the saga sent, and every step skips work already done.
/// </summary>
public sealed class SagaWatch<TSaga>(string sagaType) : ISagaWatch where TSaga : class, SagaStateMachineInstance
{
    private static readonly System.Reflection.PropertyInfo CurrentState = typeof(TSaga).GetProperty("CurrentState")
        ?? throw new InvalidOperationException($"{typeof(TSaga).Name} has no CurrentState property");
    private readonly Dictionary<string, (TimeSpan Limit, Func<TSaga, StepCommand> Command)> _watched = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _leftAlone = new(StringComparer.Ordinal);
    private Func<TSaga, string?> _identifier = _ => null;

    public string SagaType { get; } = sagaType;
    public string Table => SagaRows.TableOf<TSaga>();
    public string TransitionSagaType => typeof(TSaga).Name;
    public string HeartbeatColumn { get; private set; } = "correlation_id";
    public IReadOnlyDictionary<string, TimeSpan> Watched => _watched.ToDictionary(w => w.Key, w => w.Value.Limit);
    public IReadOnlyDictionary<string, string> LeftAlone => _leftAlone;

    /// <summary>In <paramref name="state"/> the saga waits on the step that consumes <paramref name="command"/>'s message.</summary>
    public SagaWatch<TSaga> Resend(string state, TimeSpan limit, Func<TSaga, StepCommand> command)
    {
        _watched.Add(state, (limit, command));
        return this;
    }

    /// <summary>In <paramref name="state"/> the saga waits on something the watchdog must not hurry.</summary>
    public SagaWatch<TSaga> Leave(string state, string why)
    {
        _leftAlone.Add(state, why);
        return this;
    }

    /// <summary>What an alert names the saga by (an object identifier), for notifications to route it.</summary>
    public SagaWatch<TSaga> IdentifiedBy(Func<TSaga, string?> identifier)
    {
        _identifier = identifier;
        return this;
    }

    /// <summary>When the saga's steps run under another id than the correlation id (fixity's check id).</summary>
    public SagaWatch<TSaga> HeartbeatsBy(string column)
    {
        HeartbeatColumn = column;
        return this;
    }

    /// <summary>The command for the row's state, built the way the state machine builds it.</summary>
    public StepCommand? CommandFor(TSaga saga) =>
        CurrentState.GetValue(saga) is string state && _watched.TryGetValue(state, out var w) ? w.Command(saga) : null;

    public async Task<StuckSaga?> ReadAsync(NpgsqlConnection connection, Guid correlationId, string state, CancellationToken cancellationToken)
    {
        var saga = await SagaRows.LoadAsync<TSaga>(connection, correlationId, cancellationToken);
        if (saga is null || CurrentState.GetValue(saga) as string != state) return null;
        return CommandFor(saga) is { } command ? new StuckSaga(command, _identifier(saga)) : null;
    }
}
