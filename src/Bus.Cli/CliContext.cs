using Bus.Cli.Output;
using Bus.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Cli;

/// <summary>
/// What a command needs: configuration (the host's appsettings.json, then environment variables)
/// and the services built from it. Built per invocation, validated like the host's.
/// </summary>
public sealed class CliContext : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CliContext(ServiceProvider services, IConfiguration configuration)
    {
        _services = services;
        Configuration = configuration;
    }

    public IConfiguration Configuration { get; }
    public IServiceProvider Services => _services;

    /// <summary>Extra registrations by command modules (e.g. database modules for <c>db migrate</c>).</summary>
    public static readonly List<Action<IServiceCollection, IConfiguration>> Modules = [];

    public static CliContext Create()
    {
        var environment = BusConfiguration.EnvironmentName;
        var configuration = BusConfiguration.Build(environment);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new CliEnvironment(environment));
        services.AddLogging(b => b.AddConfiguration(configuration.GetSection("Logging")).SetMinimumLevel(LogLevel.Warning));
        services.AddBusPlatform(configuration);
        foreach (var module in Modules) module(services, configuration);
        return new CliContext(services.BuildServiceProvider(), configuration);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();
    public T Options<T>() where T : class => _services.GetRequiredService<IOptions<T>>().Value;

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class CliEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "busctl";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } =
            new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
