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
    private static readonly HashSet<string> SqlStates = ["40001", "40P01", "23505", "55P03", "57P01", "08000", "08003", "08006"];

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
