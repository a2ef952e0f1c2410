using Bus.Cli.Output;
using Bus.Registry.Store;
using Npgsql;

namespace Bus.Cli.Commands;

/// <summary>Runs a registry command body on a <see cref="RegistryStore"/>, mapping database and input errors to exit 2.</summary>
internal static class RegistryCommandSupport
{
    public static async Task<int> WithStoreAsync(CliContext context, CliOutput output, Func<RegistryStore, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await context.Get<RegistryDatabase>().RunAsync(body, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"the registry tables are missing ({e.MessageText}): run 'busctl db migrate'");
        }
        catch (NpgsqlException e)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"registry database: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return output.Fail(ExitCodes.UsageOrConnection, e.Message);
        }
    }
}
