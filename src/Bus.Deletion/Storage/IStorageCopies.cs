using Bus.Deletion.Data;

namespace Bus.Deletion.Storage;

/// <summary>Removes stored copies. A copy already gone counts as removed; anything else that fails throws.</summary>
public interface IStorageCopies
{
    Task RemoveAsync(StoredCopy copy, CancellationToken cancellationToken);
}
