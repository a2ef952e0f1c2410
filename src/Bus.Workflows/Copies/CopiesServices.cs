using Bus.Workflows.Steps;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Workflows.Copies.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bus.Workflows.Copies;

public static class CopiesServices
{
    /// <summary>
    /// The copy kit: writer, sliced reader with its checkpoint store and database module, remover. TryAdd
    /// throughout: every workflow module that uses the kit calls this, and a host running several roles shares
    /// one of each. Needs an <c>IAmazonS3</c> (the host's) and <see cref="PostgresOptions"/>.
    /// </summary>
    public static IServiceCollection AddCopies(this IServiceCollection services)
    {
        services.AddCopyReadSlices();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<S3Resilience>();
        services.TryAddSingleton<CopyWriter>();
        services.TryAddSingleton<CopyChecksums>();
        services.TryAddSingleton<CopyRemover>();
        services.TryAddSingleton<ICopyRemover>(sp => sp.GetRequiredService<CopyRemover>());
        services.TryAddSingleton<ICopyStorage, S3CopyStorage>();
        services.TryAddSingleton<CopyTemperature>();
        services.TryAddSingleton<CopyReader>();
        services.TryAddSingleton<SlicedCopyReader>();
        return services;
    }

    /// <summary>The checkpoint store and its migrations only (what busctl needs).</summary>
    public static IServiceCollection AddCopyReadSlices(this IServiceCollection services)
    {
        services.AddBusDataSource();
        services.TryAddSingleton<ICopyReadSlices, CopyReadSlices>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, CopiesDatabaseModule>());
        return services;
    }
}
