using Bus.Ingest.Data;
using Bus.Ingest.StateMachines;
using Bus.Ingest.Steps;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Workflows;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Bus.Workflows.Copies;

namespace Bus.Ingest;

public static class IngestServices
{
    /// <summary>
    /// The ingest module's services (role "ingest", and busctl): options, the workflow kit, the registry,
    /// the interim tables and their migrations, the copier and format identification. The saga and step
    /// consumers are added with <see cref="AddIngestWorkflow(IBusRegistrationConfigurator, Action{ISagaRegistrationConfigurator{IngestState}}?)"/>.
    /// </summary>
    public static IServiceCollection AddIngestWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        IngestMetrics.Observe();
        services.AddBusOptions<IngestOptions>(configuration);
        services.AddWorkflowKit();
        services.AddBusRegistry();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, IngestDatabaseModule>());
        services.TryAddSingleton<InterimStore>();
        services.TryAddSingleton<CopyCheckpoints>();
        services.TryAddSingleton<IngestQueues>();
        services.TryAddSingleton<PreservationCopier>();
        services.TryAddSingleton<RecordedCopies>();
        services.TryAddSingleton<LibMagic>();
        services.TryAddSingleton<FormatIdentifier>();
        services.TryAddSingleton<ISubmitterDirectory, RegistrySubmitterDirectory>();
        return services;
    }

    /// <summary>
    /// The ingest saga and its step consumers, each on its own queue. <paramref name="repository"/> picks the
    /// saga repository: PostgreSQL (<c>bus.ingest_saga</c>) unless a test says otherwise, so any host may
    /// handle any ingest's next event, and a restart forgets nothing.
    /// </summary>
    public static IBusRegistrationConfigurator AddIngestWorkflow(this IBusRegistrationConfigurator x,
        Action<ISagaRegistrationConfigurator<IngestState>>? repository = null)
    {
        var saga = x.AddSagaStateMachine<IngestStateMachine, IngestState, IngestStateDefinition>();
        if (repository is null) saga.PostgresRepository();
        else repository(saga);
        x.AddIngestSteps();
        return x;
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
