using System.Runtime.CompilerServices;
using MassTransit;
using Npgsql;

namespace Bus.Persistence.Sagas;

internal sealed record SagaTransition(string? FromState, string ToState, string? Event, Guid? MessageId, DateTime OccurredAt);

/// <summary>
/// Collects the state changes the state machine makes to an instance while a message is handled; the
/// repository writes them to <c>bus.saga_transitions</c> with the saga row, in the same transaction, so
/// the history holds exactly the transitions that committed.
/// </summary>
internal sealed class TransitionRecorder<TSaga> : IStateObserver<TSaga> where TSaga : class, SagaStateMachineInstance
{
    private static readonly ConditionalWeakTable<object, object> Connected = [];
    private static readonly ConditionalWeakTable<TSaga, List<SagaTransition>> Pending = [];
    private static readonly string Host = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Connects once per state machine instance (a process may hold several buses, e.g. in tests).</summary>
    public static void EnsureConnected(IServiceProvider provider)
    {
        if (provider.GetService(typeof(SagaStateMachine<TSaga>)) is not SagaStateMachine<TSaga> machine) return;
        lock (Connected)
        {
            if (Connected.TryGetValue(machine, out _)) return;
            machine.ConnectStateObserver(new TransitionRecorder<TSaga>());
            Connected.Add(machine, machine);
        }
    }

    public Task StateChanged(BehaviorContext<TSaga> context, State currentState, State previousState)
    {
        var list = Pending.GetOrCreateValue(context.Saga);
        lock (list) list.Add(new SagaTransition(previousState?.Name, currentState.Name, context.Event?.Name, context.MessageId, DateTime.UtcNow));
        return Task.CompletedTask;
    }

    /// <summary>Adds the instance's pending transitions to <paramref name="batch"/> and forgets them; returns them.</summary>
    /// <param name="virtualHost">The RabbitMQ virtual host of the process, recorded with each row (null: not known).</param>
    public static SagaTransition[] AddWrites(ICollection<NpgsqlBatchCommand> batch, string sagaType, TSaga instance, string? virtualHost = null)
    {
        if (!Pending.TryGetValue(instance, out var list)) return [];
        Pending.Remove(instance);
        SagaTransition[] transitions;
        lock (list) transitions = [.. list];
        if (transitions.Length == 0) return [];

        var command = new NpgsqlBatchCommand();
        var p = command.Parameters;
        p.Add(new NpgsqlParameter("type", sagaType));
        p.Add(new NpgsqlParameter("id", instance.CorrelationId));
        p.Add(new NpgsqlParameter("host", Host));
        p.Add(new NpgsqlParameter("vhost", (object?)virtualHost ?? DBNull.Value));
        var rows = transitions.Select((t, i) =>
        {
            p.Add(new NpgsqlParameter($"f{i}", (object?)t.FromState ?? DBNull.Value));
            p.Add(new NpgsqlParameter($"t{i}", t.ToState));
            p.Add(new NpgsqlParameter($"e{i}", (object?)t.Event ?? DBNull.Value));
            p.Add(new NpgsqlParameter($"m{i}", (object?)t.MessageId ?? DBNull.Value));
            p.Add(new NpgsqlParameter($"o{i}", t.OccurredAt));
            return $"(@type, @id, @f{i}, @t{i}, @e{i}, @m{i}, @host, @o{i}, @vhost)";
        });
        command.CommandText =
            "INSERT INTO bus.saga_transitions (saga_type, correlation_id, from_state, to_state, event, message_id, host, occurred_at, virtual_host) VALUES " +
            string.Join(", ", rows);
        batch.Add(command);
        return transitions;
    }
}
