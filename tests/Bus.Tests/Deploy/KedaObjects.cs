using YamlDotNet.Serialization;

namespace Bus.Tests.Deploy;

// KEDA's custom resources as far as the deployment tests read them (KubernetesClient has no models for them).

public sealed class ScaledObject
{
    public string File { get; set; } = "";
    public ObjectMeta Metadata { get; set; } = new();
    public ScaledObjectSpec Spec { get; set; } = new();
}

public sealed class ObjectMeta
{
    public string Name { get; set; } = "";
}

public sealed class ScaledObjectSpec
{
    public ScaleTarget ScaleTargetRef { get; set; } = new();
    /// <summary>KEDA's default is 0 when absent.</summary>
    public int? MinReplicaCount { get; set; }
    /// <summary>KEDA's default is 100 when absent.</summary>
    public int? MaxReplicaCount { get; set; }
    public int? PollingInterval { get; set; }
    public int? CooldownPeriod { get; set; }
    public int? InitialCooldownPeriod { get; set; }
    public int? IdleReplicaCount { get; set; }
    public List<Trigger> Triggers { get; set; } = [];
}

public sealed class ScaleTarget
{
    public string? ApiVersion { get; set; }
    /// <summary>Deployment when absent.</summary>
    public string? Kind { get; set; }
    public string Name { get; set; } = "";
}

public sealed class Trigger
{
    public string Type { get; set; } = "";
    public string? MetricType { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
    public AuthenticationRef? AuthenticationRef { get; set; }
}

public sealed class AuthenticationRef
{
    public string Name { get; set; } = "";
    public string? Kind { get; set; }
}

public sealed class TriggerAuthentication
{
    public string File { get; set; } = "";
    public ObjectMeta Metadata { get; set; } = new();
    public TriggerAuthenticationSpec Spec { get; set; } = new();
}

public sealed class TriggerAuthenticationSpec
{
    public List<SecretTargetRef> SecretTargetRef { get; set; } = [];
    /// <summary>Literal values in the resource itself: a place a secret must never be.</summary>
    [YamlMember(Alias = "env")]
    public List<Dictionary<string, string>>? Env { get; set; }
}

public sealed class SecretTargetRef
{
    public string Parameter { get; set; } = "";
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
}
