using Bus.Workflows.Copies;
using Bus.Fixity.Data;

namespace Bus.Fixity.Sweep;

/// <summary>Copies due for a check, claimed so that a concurrent sweep elsewhere does not select them too.</summary>
public interface IDueCopies
{
    Task<IReadOnlyList<CheckRequest>> ClaimAsync(DateTimeOffset checkedBefore, int limit, TimeSpan lease, CancellationToken cancellationToken);
}
