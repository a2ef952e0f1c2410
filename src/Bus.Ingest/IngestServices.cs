using Bus.Ingest.Consumers;
using Bus.Ingest.Data;
using Bus.Ingest.StateMachines;
using Bus.Ingest.Storage;
using Bus.Platform.Database;
using Bus.Registry;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Bus.Platform.Coordination;

namespace Bus.Ingest;

public static class IngestServices
{
    /// <summary>Options and services of the ingest role (the saga and step consumers are added with <see cref="AddIngest"/>).</summary>
    public static IServiceCollection AddBusIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddIngestDatabase(configuration);
        services.AddBusRegistry();
        services.AddSingleton<IngestQueues>();
        services.AddSingleton<S3Resilience>();
        services.AddSingleton<PreservationCopier>();
        services.AddSingleton<RecordedCopies>();
        services.AddSingleton<LibMagic>();
        services.AddSingleton<FormatIdentifier>();
        services.TryAddSingleton<ISubmitterDirectory, RegistrySubmitterDirectory>();
        // The same lock table deletion uses (TryAdd: a host running both roles shares one instance).
        services.TryAddSingleton<IItemLocks>(sp =>
            new PostgresItemLocks(NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString)));
        return services;
    }

    /// <summary>What busctl needs: options, the interim tables' migrations and their store.</summary>
    public static IServiceCollection AddIngestDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<IngestOptions>(configuration);
        services.AddSingleton<IDatabaseModule, IngestDatabaseModule>();
        services.AddSingleton<InterimStore>();
        services.AddSingleton<CopyCheckpoints>();
        return services;
    }

    /// <summary>The ingest saga and its step consumers, each on its own queue.</summary>
    public static void AddIngest(this IBusRegistrationConfigurator x)
    {
        // bus.ingest_saga: any host may handle any ingest's next event, and a restart forgets nothing.
        x.AddSagaStateMachine<IngestStateMachine, IngestState, IngestStateDefinition>().PostgresRepository();
        x.AddIngestSteps();
    }

    /// <summary>The step consumers, each on its own queue with the step endpoint policy (<see cref="StepConsumerDefinition{TConsumer}"/>).</summary>
    public static void AddIngestSteps(this IBusRegistrationConfigurator x)
    {
        x.AddConsumer<UnpackBagConsumer, UnpackBagConsumerDefinition>();
        x.AddConsumer<ValidateBagConsumer, ValidateBagConsumerDefinition>();
        x.AddConsumer<IdentifyFormatsConsumer, IdentifyFormatsConsumerDefinition>();
        x.AddConsumer<StoreFilesConsumer, StoreFilesConsumerDefinition>();
        x.AddConsumer<VerifyCopiesConsumer, VerifyCopiesConsumerDefinition>();
        x.AddConsumer<RecordIngestConsumer, RecordIngestConsumerDefinition>();
        x.AddConsumer<CleanUpIngestConsumer, CleanUpIngestConsumerDefinition>();
        x.AddConsumer<CompensateIngestConsumer, CompensateIngestConsumerDefinition>();
    }
}
