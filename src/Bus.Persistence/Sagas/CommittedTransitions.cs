using MassTransit;

namespace Bus.Persistence.Sagas;

/// <summary>
/// A saga type's state changes, told once they committed (the repository calls this after the message's
/// COMMIT): a workflow counts its requests started and finished here, once per committed transition, even
/// when a transient error rolled a message back and it was handled again. One observer per saga type.
/// </summary>
public static class CommittedTransitions<TSaga> where TSaga : class, SagaStateMachineInstance
{
    private static Action<TSaga, string?, string>? _observer;

    /// <summary>Sets the observer (the instance after the commit, the state left or null for a new instance, the state entered).</summary>
    public static void Observe(Action<TSaga, string?, string> observer) => _observer = observer;

    internal static bool Observed => _observer is not null;

    internal static void Committed(TSaga instance, IReadOnlyList<SagaTransition> transitions)
    {
        var observer = _observer;
        if (observer is null) return;
        foreach (var t in transitions) observer(instance, t.FromState, t.ToState);
    }
}
