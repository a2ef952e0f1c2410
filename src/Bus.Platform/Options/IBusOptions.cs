namespace Bus.Platform.Options;

/// <summary>One module's options: where it binds from, what is wrong with it, which hosts it talks to.</summary>
public interface IBusOptions
{
    string SectionName { get; }
    IEnumerable<OptionError> Validate();
    /// <summary>Host names or addresses this module connects to (checked against loopback in Test).</summary>
    IEnumerable<string> Endpoints();
    /// <summary>Secrets by key (relative to the section): in Production each must be set and not a local-stack default.</summary>
    IEnumerable<(string Key, string? Value)> Secrets() => [];
    /// <summary>What the Production environment refuses beyond <see cref="Validate"/> and default secrets (e.g. clear text to a remote server).</summary>
    IEnumerable<OptionError> ValidateProduction() => [];
}

public readonly record struct OptionError(string Key, string Message);
