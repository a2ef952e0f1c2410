using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bus.Persistence.Transactions;

/// <summary>
/// Which database failures are worth retrying the whole message for. Classified by SqlState, never by
/// message text: 40001 serialization failure, 40P01 deadlock, 23505 a lost insert race, 55P03 lock
/// not available, plus connection loss (Npgsql marks those transient) and xmin conflicts.
/// </summary>
public static class TransientDatabaseErrors
{
    private static readonly HashSet<string> SqlStates = ["40001", "40P01", "23505", "55P03", "57P01", "57P02", "57P03", "08000", "08003", "08006"];

    /// <summary>
    /// The database is not there (yet): the server shut down or crashed (57P01, 57P02), is starting up or recovering
    /// (57P03), the connection failed (class 08), or no server answered at all (refused, reset, timed out: an
    /// NpgsqlException that is not a server error). Another attempt right away meets the same; one after seconds
    /// to minutes, when PostgreSQL is back, does not.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState is "57P01" or "57P02" or "57P03" || pg.SqlState.StartsWith("08", StringComparison.Ordinal);
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
            }
        }
        return false;
    }

    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DatabaseTransientException:
                case DbUpdateConcurrencyException:
                    return true;
                case PostgresException pg when SqlStates.Contains(pg.SqlState):
                    return true;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
            }
        }
        return false;
    }
}

/// <summary>A database failure that another attempt of the same message may not meet. Saga and outbox endpoints retry it.</summary>
public sealed class DatabaseTransientException : Exception
{
    public DatabaseTransientException(string message, Exception? inner = null) : base(message, inner) { }
    public DatabaseTransientException() { }
    public DatabaseTransientException(string message) : base(message) { }
}
