using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Bus.Tests.Deploy;

/// <summary>
/// Every resource of deploy/kubernetes, as the kustomization lists them: core kinds through KubernetesClient's
/// typed YAML in strict mode (a misspelt field fails the load, naming the file), KEDA's kinds through YamlDotNet.
/// </summary>
public sealed class KubernetesManifests
{
    public const string Directory = "deploy/kubernetes";

    public static KubernetesManifests Load() => Cached.Value;

    private static readonly Lazy<KubernetesManifests> Cached = new(() => new KubernetesManifests(RepositoryFiles.PathOf(Directory)));

    private static readonly IDeserializer Keda = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    public IReadOnlyList<string> Resources { get; }
    public List<(string File, V1Deployment Deployment)> Deployments { get; } = [];
    public List<(string File, V1Service Service)> Services { get; } = [];
    public List<(string File, V1PodDisruptionBudget Budget)> DisruptionBudgets { get; } = [];
    public List<(string File, V1Job Job)> Jobs { get; } = [];
    public List<(string File, V1ConfigMap ConfigMap)> ConfigMaps { get; } = [];
    public List<(string File, V1Secret Secret)> Secrets { get; } = [];
    public List<(string File, string ApiVersion, string Kind)> Others { get; } = [];
    public List<ScaledObject> ScaledObjects { get; } = [];
    public List<TriggerAuthentication> TriggerAuthentications { get; } = [];

    private KubernetesManifests(string directory)
    {
        var kustomization = Keda.Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(directory, "kustomization.yaml")));
        Resources = ((List<object>)kustomization["resources"]).Select(r => (string)r).ToList();
        foreach (var resource in Resources)
        {
            var stream = new YamlStream();
            using (var reader = new StringReader(File.ReadAllText(Path.Combine(directory, resource)))) stream.Load(reader);
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is not YamlMappingNode root) continue;
                var apiVersion = Scalar(root, "apiVersion", resource);
                var kind = Scalar(root, "kind", resource);
                var text = Text(document);
                try
                {
                    Add(resource, apiVersion, kind, text);
                }
                catch (Exception e) when (e is not InvalidOperationException)
                {
                    throw new InvalidOperationException($"{Directory}/{resource}: {kind} does not parse: {e.Message}", e);
                }
            }
        }
    }

    private void Add(string file, string apiVersion, string kind, string text)
    {
        switch (apiVersion, kind)
        {
            case ("apps/v1", "Deployment"): Deployments.Add((file, KubernetesYaml.Deserialize<V1Deployment>(text, strict: true))); break;
            case ("v1", "Service"): Services.Add((file, KubernetesYaml.Deserialize<V1Service>(text, strict: true))); break;
            case ("policy/v1", "PodDisruptionBudget"): DisruptionBudgets.Add((file, KubernetesYaml.Deserialize<V1PodDisruptionBudget>(text, strict: true))); break;
            case ("batch/v1", "Job"): Jobs.Add((file, KubernetesYaml.Deserialize<V1Job>(text, strict: true))); break;
            case ("v1", "ConfigMap"): ConfigMaps.Add((file, KubernetesYaml.Deserialize<V1ConfigMap>(text, strict: true))); break;
            case ("v1", "Secret"): Secrets.Add((file, KubernetesYaml.Deserialize<V1Secret>(text, strict: true))); break;
            case ("v1", "Namespace"): KubernetesYaml.Deserialize<V1Namespace>(text, strict: true); Others.Add((file, apiVersion, kind)); break;
            case ("keda.sh/v1alpha1", "ScaledObject"):
                var scaled = Keda.Deserialize<ScaledObject>(text);
                scaled.File = file;
                ScaledObjects.Add(scaled);
                break;
            case ("keda.sh/v1alpha1", "TriggerAuthentication"):
                var auth = Keda.Deserialize<TriggerAuthentication>(text);
                auth.File = file;
                TriggerAuthentications.Add(auth);
                break;
            default:
                throw new InvalidOperationException($"{Directory}/{file}: {apiVersion} {kind} is a kind these tests do not know; teach KubernetesManifests to read it");
        }
    }

    private static string Scalar(YamlMappingNode node, string key, string file) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } s }
            ? s
            : throw new InvalidOperationException($"{Directory}/{file}: a document without {key}");

    private static string Text(YamlDocument document)
    {
        using var writer = new StringWriter();
        new YamlStream(document).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    /// <summary>The ScaledObjects that scale Deployment <paramref name="name"/>.</summary>
    public IEnumerable<ScaledObject> ScalersOf(string name) =>
        ScaledObjects.Where(s => s.Spec.ScaleTargetRef.Name == name && (s.Spec.ScaleTargetRef.Kind ?? "Deployment") == "Deployment");

    /// <summary>
    /// The environment a container starts with, by variable: ConfigMaps of envFrom first, then env (which wins).
    /// A value is either literal (<see cref="EnvValue.Literal"/>) or a reference (<see cref="EnvValue.Secret"/>).
    /// </summary>
    public IReadOnlyDictionary<string, EnvValue> Environment(V1Container container)
    {
        var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
        foreach (var from in container.EnvFrom ?? [])
        {
            if (from.ConfigMapRef is { } cm)
            {
                var map = ConfigMaps.Select(c => c.ConfigMap).SingleOrDefault(c => c.Metadata.Name == cm.Name)
                    ?? throw new InvalidOperationException($"container {container.Name} reads ConfigMap {cm.Name}, which no manifest defines");
                foreach (var (key, value) in map.Data ?? new Dictionary<string, string>()) env[(from.Prefix ?? "") + key] = new(value, null, null);
            }
            if (from.SecretRef is { } secret)
                throw new InvalidOperationException($"container {container.Name} takes all of Secret {secret.Name} (envFrom): name each variable instead, so the tests see which");
        }
        foreach (var e in container.Env ?? [])
            env[e.Name] = new(e.ValueFrom is null ? e.Value ?? "" : null, e.ValueFrom?.SecretKeyRef, e.ValueFrom);
        return env;
    }
}

/// <summary>One environment variable: a literal, a Secret key, or another reference (a field, a ConfigMap key).</summary>
public sealed record EnvValue(string? Literal, V1SecretKeySelector? Secret, V1EnvVarSource? Source);
