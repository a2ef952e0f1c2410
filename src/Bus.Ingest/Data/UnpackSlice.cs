using System.Text.Json;
using Bus.BagIt.Scanning;
using Npgsql;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Data;

/// <summary>Where Unpack of one ingest stands (bus.ingest_unpack_checkpoints).</summary>
/// <param name="NextOffset">Tar byte offset of the next entry header to read.</param>
/// <param name="Slices">Slices committed so far.</param>
/// <param name="State">Bag-level scan state (null before the first slice).</param>
/// <param name="Finished">Set with the bag row in the last slice's transaction: Unpack is done, only BagUnpacked may be owed.</param>
public sealed record UnpackCheckpoint(long NextOffset, int Slices, TarScanState? State, UnpackFinished? Finished);

public sealed record UnpackFinished(string BagName, int PayloadFiles, long PayloadBytes);

/// <summary>
/// One Unpack slice: holds the ingest's checkpoint row locked (<c>FOR UPDATE SKIP LOCKED</c>) in
/// a transaction from start to commit, so two deliveries of the same ingest (a redelivered first
/// command beside its continuation) never unpack the same files at once: the second finds the row
/// locked and leaves the work to the first. The slice's file rows and the new checkpoint commit
/// together, so a crash before the commit loses only that slice (redone from the old offset) and
/// never leaves rows a redone slice would duplicate.
/// </summary>
public sealed class UnpackSlice : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _tx;
    private readonly Guid _ingestId;

    private UnpackSlice(NpgsqlConnection connection, NpgsqlTransaction tx, Guid ingestId, UnpackCheckpoint checkpoint)
    {
        _connection = connection;
        _tx = tx;
        _ingestId = ingestId;
        Checkpoint = checkpoint;
    }

    public UnpackCheckpoint Checkpoint { get; }

    internal static async Task<UnpackSlice?> TryBeginAsync(NpgsqlDataSource dataSource, Guid ingestId, string etag, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO bus.ingest_unpack_checkpoints (ingest_id, etag) VALUES (@id, @etag) ON CONFLICT (ingest_id) DO NOTHING", connection))
            {
                insert.Parameters.AddWithValue("id", ingestId);
                insert.Parameters.AddWithValue("etag", etag);
                await insert.ExecuteNonQueryAsync(ct);
            }
            var tx = await connection.BeginTransactionAsync(ct);
            UnpackCheckpoint? checkpoint = null;
            await using (var select = new NpgsqlCommand("""
                SELECT next_offset, slices, state::text, bag_name, payload_files, payload_bytes, finished_at IS NOT NULL
                FROM bus.ingest_unpack_checkpoints WHERE ingest_id = @id FOR UPDATE SKIP LOCKED
                """, connection, tx))
            {
                select.Parameters.AddWithValue("id", ingestId);
                await using var r = await select.ExecuteReaderAsync(ct);
                if (await r.ReadAsync(ct))
                {
                    var state = r.IsDBNull(2) ? null : JsonSerializer.Deserialize<TarScanState>(r.GetString(2));
                    var finished = r.GetBoolean(6) ? new UnpackFinished(r.GetString(3), r.GetInt32(4), r.GetInt64(5)) : null;
                    checkpoint = new UnpackCheckpoint(r.GetInt64(0), r.GetInt32(1), state, finished);
                }
            }
            if (checkpoint is not null) return new UnpackSlice(connection, tx, ingestId, checkpoint);
            await tx.DisposeAsync();
            await connection.DisposeAsync();
            return null;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Paths of the files earlier slices found (duplicate entries are still found across slices).</summary>
    public async Task<List<string>> FilePathsAsync(CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT path FROM bus.ingest_files WHERE ingest_id = @id", _connection, _tx);
        command.Parameters.AddWithValue("id", _ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        var paths = new List<string>();
        while (await r.ReadAsync(ct)) paths.Add(r.GetString(0));
        return paths;
    }

    /// <summary>Every file earlier slices found, with its digests, for the whole bag's inventory (path order: the validator does not depend on order).</summary>
    public async Task<List<BagFile>> FilesAsync(CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT path, size, md5, sha1, sha256, sha512 FROM bus.ingest_files WHERE ingest_id = @id ORDER BY path COLLATE \"C\"", _connection, _tx);
        command.Parameters.AddWithValue("id", _ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        var files = new List<BagFile>();
        while (await r.ReadAsync(ct))
            files.Add(new BagFile(r.GetString(0), r.GetInt64(1), FileDigests.FromHex(r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5))));
        return files;
    }

    /// <summary>Commits this slice's files (enumerated once, as COPY writes them) and where the next slice starts; releases the lock.</summary>
    public async Task CommitSliceAsync(IEnumerable<InterimFile> files, long nextOffset, TarScanState state, CancellationToken ct)
    {
        await ClearIfFirstAsync(ct);
        await InterimStore.CopyFilesAsync(_connection, _ingestId, files, ct);
        await UpdateAsync("next_offset = @offset, state = @state::jsonb", ct,
            ("offset", nextOffset), ("state", JsonSerializer.Serialize(state)));
        await _tx.CommitAsync(ct);
    }

    /// <summary>Commits the last slice's files, the bag row and the finished mark together.</summary>
    public async Task CommitFinishedAsync(IEnumerable<InterimFile> files, long nextOffset, string institution, UnpackedBag bag,
        UnpackFinished finished, CancellationToken ct)
    {
        await ClearIfFirstAsync(ct);
        await InterimStore.CopyFilesAsync(_connection, _ingestId, files, ct);
        await InterimStore.UpsertUnpackedBagAsync(_connection, _tx, _ingestId, institution, bag, ct);
        // The scan state (tag bytes) is not needed any more: the bag row holds what later steps read.
        await UpdateAsync("next_offset = @offset, state = NULL, bag_name = @bag, payload_files = @files, payload_bytes = @bytes, finished_at = now()", ct,
            ("offset", nextOffset), ("bag", finished.BagName), ("files", finished.PayloadFiles), ("bytes", finished.PayloadBytes));
        await _tx.CommitAsync(ct);
    }

    /// <summary>
    /// The first slice starts from nothing: rows an Unpack of the old, unsliced kind may have left
    /// are removed, so every row comes from a committed slice.
    /// </summary>
    private async Task ClearIfFirstAsync(CancellationToken ct)
    {
        if (Checkpoint.Slices > 0) return;
        await using var delete = new NpgsqlCommand("DELETE FROM bus.ingest_files WHERE ingest_id = @id", _connection, _tx);
        delete.Parameters.AddWithValue("id", _ingestId);
        await delete.ExecuteNonQueryAsync(ct);
    }

    private async Task UpdateAsync(string set, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(
            $"UPDATE bus.ingest_unpack_checkpoints SET {set}, slices = slices + 1, updated_at = now() WHERE ingest_id = @id", _connection, _tx);
        command.Parameters.AddWithValue("id", _ingestId);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Rolls back whatever was not committed (a failed slice is redone from the old checkpoint) and frees the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
