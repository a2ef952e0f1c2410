using System.Runtime.CompilerServices;

namespace Bus.IntegrationTests.Support;

internal static class TestEnvironment
{
    /// <summary>
    /// The stack's servers run on their default passwords, which Production (the default environment of a
    /// host or busctl) refuses. Every in-process host and every busctl or bus-host this suite starts
    /// inherits the Test environment (with its loopback guard) unless the runner chose one.
    /// </summary>
    [ModuleInitializer]
    internal static void UseTestEnvironment()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")))
            Environment.SetEnvironmentVariable("DOTNET_ENVIRONMENT", "Test");
    }
}
