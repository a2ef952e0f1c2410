using System.Net;
using Amazon.Runtime;
using Bus.Fixity.Copies;
using Npgsql;

namespace Bus.Fixity;

/// <summary>
/// Which failures another attempt may not meet (retried, then redelivered later) and which are fatal
/// (fault at once: retrying a missing registry row or a registry without a digest cannot help).
/// Classified by type, status code and SqlState, never by message text.
/// </summary>
public static class FixityErrors
{
    private static readonly HashSet<string> TransientSqlStates = ["40001", "40P01", "23505", "55P03", "57P01", "08000", "08003", "08006"];

    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case CopyNotRegisteredException or MissingIngestDigestException:
                    return false;
                case RepairNotVerifiedException or HttpRequestException or IOException or TimeoutException:
                    return true;
                case AmazonServiceException s when (int)s.StatusCode >= 500 || s.StatusCode == HttpStatusCode.TooManyRequests || s.StatusCode == 0:
                    return true;
                case AmazonClientException:
                    return true;
                case PostgresException pg:
                    return TransientSqlStates.Contains(pg.SqlState);
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
            }
        }
        return false;
    }
}
