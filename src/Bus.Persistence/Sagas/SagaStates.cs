using System.Reflection;
using MassTransit;

namespace Bus.Persistence.Sagas;

/// <summary>
/// State names read from a state machine type, so a list of states (busctl's --state, terminal sets)
/// cannot fall behind the machine. MassTransit names each state after its <see cref="State"/> property
/// and stores that name in the saga row's current_state.
/// </summary>
public static class SagaStates
{
    /// <summary>The states <typeparamref name="TMachine"/> declares (not the base class's Initial and Final), in declaration order.</summary>
    public static IReadOnlyList<string> Declared<TMachine>() where TMachine : class =>
        typeof(TMachine).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.PropertyType == typeof(State))
            .OrderBy(p => p.MetadataToken)
            .Select(p => p.Name)
            .ToArray();

    /// <summary>The state named <paramref name="text"/> in <paramref name="states"/>, ignoring case; null when there is none.</summary>
    public static string? Match(IReadOnlyList<string> states, string text) =>
        states.FirstOrDefault(s => string.Equals(s, text.Trim(), StringComparison.OrdinalIgnoreCase));
}
