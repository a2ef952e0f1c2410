using Bus.Host;
using Bus.Host.Health;
using Bus.Host.Roles;
using Bus.Platform.Options;
using k8s.Models;

namespace Bus.Tests.Deploy;

/// <summary>
/// The invariants of deploy/kubernetes (docs/operations.md, "Scaling Bus"), checked against the code: roles and
/// their queues, the host's shutdown timeout, health paths and secrets all come from the code, so a new queue, role
/// or secret that the manifests do not handle fails here with what to add.
/// </summary>
public class When_bus_is_deployed_on_kubernetes
{
    private const string RolesVariable = "Bus__Host__Roles";
    private static readonly KubernetesManifests M = KubernetesManifests.Load();

    /// <summary>Each Deployment with its host container and the roles it runs.</summary>
    private static IEnumerable<(string File, V1Deployment Deployment, V1Container Host, IReadOnlyList<string> Roles)> Hosts() =>
        M.Deployments.Select(d =>
        {
            var host = d.Deployment.Spec.Template.Spec.Containers.Single();
            var env = M.Environment(host);
            var roles = env.TryGetValue(RolesVariable, out var r) && r.Literal is { } value
                ? RoleSelection.Parse(value).ToList()
                : throw new InvalidOperationException($"Deployment {d.Deployment.Metadata.Name} ({d.File}) sets no literal {RolesVariable}: say which roles it runs");
            return (d.File, d.Deployment, host, (IReadOnlyList<string>)roles);
        });

    /// <summary>KEDA's bounds when a ScaledObject targets the Deployment, else its fixed replica count.</summary>
    private static (int Min, int Max) Replicas(V1Deployment deployment)
    {
        var scalers = M.ScalersOf(deployment.Metadata.Name).ToList();
        if (scalers.Count == 0) return (deployment.Spec.Replicas ?? 1, deployment.Spec.Replicas ?? 1);
        var spec = Assert.Single(scalers).Spec;
        return (spec.MinReplicaCount ?? 0, spec.MaxReplicaCount ?? 100);
    }

    [Fact]
    public void Should_list_every_manifest_in_the_kustomization()
    {
        var files = Directory.GetFiles(RepositoryFiles.PathOf(KubernetesManifests.Directory), "*.yaml")
            .Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, M.Resources.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Should_run_every_role_in_exactly_one_deployment()
    {
        var hosts = Hosts().ToList();
        var problems = new List<string>();
        foreach (var (file, deployment, _, roles) in hosts)
            foreach (var role in roles.Where(r => !RoleCatalog.Names.Contains(r)))
                problems.Add($"Deployment {deployment.Metadata.Name} ({file}) runs '{role}', which is not a role (known: {string.Join(", ", RoleCatalog.Names)}; 'all' would defeat scaling per role)");
        foreach (var role in RoleCatalog.Names)
        {
            var runs = hosts.Where(h => h.Roles.Contains(role)).Select(h => h.Deployment.Metadata.Name).ToList();
            if (runs.Count != 1)
                problems.Add($"role '{role}' runs in {(runs.Count == 0 ? "no Deployment" : string.Join(" and ", runs))}: give it exactly one (a Deployment in {KubernetesManifests.Directory} with {RolesVariable} naming it)");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Should_scale_every_queue_a_role_consumes_on_its_depth()
    {
        var problems = new List<string>();
        foreach (var (file, deployment, _, roles) in Hosts())
        {
            var name = deployment.Metadata.Name;
            var triggers = M.ScalersOf(name).SelectMany(s => s.Spec.Triggers.Select(t => (Scaler: s, Trigger: t))).ToList();
            var rabbit = triggers.Where(t => t.Trigger.Type == "rabbitmq").ToList();
            var consumed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var role in roles.Where(RoleCatalog.Names.Contains))
                foreach (var queue in RoleQueues.Of(role))
                {
                    consumed.Add(queue);
                    var scaling = rabbit.Where(t => t.Trigger.Metadata.GetValueOrDefault("queueName") == queue).ToList();
                    if (scaling.Count == 0)
                    {
                        problems.Add($"queue '{queue}' (role '{role}', Deployment {name} in {file}) has no scaler: add to the ScaledObject targeting {name} " +
                            $"the trigger {{ type: rabbitmq, metadata: {{ protocol: http, mode: QueueLength, queueName: {queue}, value: \"4\" }}, authenticationRef: {{ name: bus-rabbitmq-management }} }}");
                        continue;
                    }
                    foreach (var (scaler, t) in scaling)
                    {
                        // amqp sees only ready messages: a pod busy with a queue's last message would look idle and be scaled away.
                        if (t.Metadata.GetValueOrDefault("protocol") != "http")
                            problems.Add($"{scaler.File}: the trigger on '{queue}' must use protocol http (the management API counts unacknowledged messages)");
                        if (t.Metadata.GetValueOrDefault("mode") != "QueueLength" || !int.TryParse(t.Metadata.GetValueOrDefault("value"), out var v) || v < 1)
                            problems.Add($"{scaler.File}: the trigger on '{queue}' must be mode QueueLength with a whole value of at least 1");
                        if (t.AuthenticationRef is not { } auth || M.TriggerAuthentications.All(a => a.Metadata.Name != auth.Name))
                            problems.Add($"{scaler.File}: the trigger on '{queue}' names no TriggerAuthentication of {KubernetesManifests.Directory}");
                    }
                }
            foreach (var (scaler, t) in rabbit.Where(t => !consumed.Contains(t.Trigger.Metadata.GetValueOrDefault("queueName") ?? "")))
                problems.Add($"{scaler.File}: ScaledObject {scaler.Metadata.Name} scales {name} on queue '{t.Metadata.GetValueOrDefault("queueName")}', which none of its roles ({string.Join(", ", roles)}) consumes (renamed?)");
        }
        foreach (var scaler in M.ScaledObjects.Where(s => M.Deployments.All(d => d.Deployment.Metadata.Name != s.Spec.ScaleTargetRef.Name)))
            problems.Add($"{scaler.File}: ScaledObject {scaler.Metadata.Name} targets {scaler.Spec.ScaleTargetRef.Name}, which is no Deployment here");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Should_derive_the_queues_from_the_roles_code()
    {
        // A guard on the derivation itself: if it found nothing, every scaler check above would pass vacuously.
        Assert.Contains("ingest-unpack", RoleQueues.Of("ingest"));
        Assert.Contains("ingest-state", RoleQueues.Of("ingest"));
        Assert.Contains("fixity-verify-copy", RoleQueues.Of("fixity"));
        Assert.Empty(RoleQueues.Of("scheduler"));
    }

    [Fact]
    public void Should_run_exactly_one_scheduler()
    {
        var scheduler = Assert.Single(Hosts(), h => h.Roles.Contains("scheduler"));
        Assert.Equal((1, 1), Replicas(scheduler.Deployment));
    }

    [Fact]
    public void Should_keep_a_pod_of_every_role_that_makes_its_own_work()
    {
        // A role with a background service (fixity's sweep) puts messages on its queues itself: scaled to zero, nothing would wake it.
        var problems = Hosts()
            .SelectMany(h => h.Roles.Where(RoleCatalog.Names.Contains).Select(role => (h, role)))
            .Where(x => RoleQueues.HasBackgroundService(RoleCatalog.All.Single(r => r.Name == x.role)) && Replicas(x.h.Deployment).Min < 1)
            .Select(x => $"role '{x.role}' runs a background service, but Deployment {x.h.Deployment.Metadata.Name} ({x.h.File}) may scale to zero: set minReplicaCount: 1")
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Should_give_every_pod_more_grace_than_the_host_takes_to_stop()
    {
        foreach (var (file, deployment, host, _) in Hosts())
        {
            var env = M.Environment(host);
            var shutdown = env.TryGetValue("Bus__Host__ShutdownTimeoutSeconds", out var s) && s.Literal is { } text
                ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
                : new BusHostOptions().ShutdownTimeoutSeconds;
            var preStop = host.Lifecycle?.PreStop?.Exec?.Command is ["sleep", var seconds] ? int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var grace = deployment.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30;
            Assert.True(grace > preStop + shutdown,
                $"Deployment {deployment.Metadata.Name} ({file}): terminationGracePeriodSeconds {grace} must exceed the preStop sleep ({preStop} s) plus the host's shutdown timeout ({shutdown} s)");
        }
    }

    [Fact]
    public void Should_probe_the_health_endpoints_the_host_serves()
    {
        foreach (var (file, deployment, host, _) in Hosts())
        {
            var where = $"Deployment {deployment.Metadata.Name} ({file})";
            var env = M.Environment(host);
            var url = new Uri(env.TryGetValue("Bus__Host__HealthUrl", out var u) && u.Literal is { } l ? l : new BusHostOptions().HealthUrl);
            Assert.False(BusOptionsValidator<BusHostOptions>.IsLoopback(url.Host), $"{where}: Bus__Host__HealthUrl {url} listens on loopback, where no probe or scrape can reach it");
            var port = Assert.Single(host.Ports, p => p.ContainerPort == url.Port);
            foreach (var (probe, path, kind) in new[] { (host.LivenessProbe, HealthPaths.Live, "liveness"), (host.ReadinessProbe, HealthPaths.Ready, "readiness"), (host.StartupProbe, HealthPaths.Live, "startup") })
            {
                Assert.True(probe?.HttpGet is not null, $"{where}: no {kind} probe over HTTP");
                Assert.Equal(path, probe!.HttpGet.Path);
                Assert.True(probe.HttpGet.Port.Value == port.Name || probe.HttpGet.Port.Value == url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"{where}: the {kind} probe's port {probe.HttpGet.Port.Value} is not the listener's {url.Port}");
            }
        }
    }

    [Fact]
    public void Should_put_the_api_behind_a_service()
    {
        var api = Assert.Single(Hosts(), h => h.Roles.Contains("api"));
        var labels = api.Deployment.Spec.Template.Metadata.Labels;
        var service = Assert.Single(M.Services, s => s.Service.Spec.Selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value)).Service;
        var target = Assert.Single(service.Spec.Ports).TargetPort.Value;
        Assert.Contains(api.Host.Ports, p => p.Name == target || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == target);
    }

    [Fact]
    public void Should_protect_every_deployment_with_a_disruption_budget_that_still_lets_a_node_drain()
    {
        foreach (var (file, deployment, _, _) in Hosts())
        {
            var labels = deployment.Spec.Template.Metadata.Labels;
            var budget = Assert.Single(M.DisruptionBudgets, b => b.Budget.Spec.Selector.MatchLabels.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value)).Budget;
            var min = Replicas(deployment).Min;
            var drains = budget.Spec.MaxUnavailable is { } max ? int.Parse(max.Value, System.Globalization.CultureInfo.InvariantCulture) >= 1
                : budget.Spec.MinAvailable is { } least && int.Parse(least.Value, System.Globalization.CultureInfo.InvariantCulture) < Math.Max(min, 1);
            Assert.True(drains, $"PodDisruptionBudget {budget.Metadata.Name} would block every eviction of Deployment {deployment.Metadata.Name} ({file}) at its minimum of {min} pods");
        }
    }

    /// <summary>Every secret the code knows of, as environment variable names (Bus:Postgres:ConnectionString → Bus__Postgres__ConnectionString).</summary>
    private static IReadOnlyList<string> SecretVariables(params IBusOptions[] options) =>
        options.SelectMany(o => o.Secrets().Select(s => $"{o.SectionName}:{s.Key.Split(' ')[0]}"))
            .Concat(new PostgresOptions().MigrationSecrets().Select(s => $"{PostgresOptions.Section}:{s.Key.Split(' ')[0]}"))
            .Select(k => k.Replace(":", "__", StringComparison.Ordinal)).Distinct().ToList();

    private static readonly IReadOnlyList<string> PlatformSecrets = SecretVariables(new RabbitMqOptions(), new PostgresOptions(), new StorageOptions());

    /// <summary>Names that carry a secret whatever module they belong to.</summary>
    private static bool LooksSecret(string variable) =>
        new[] { "Password", "Secret", "SecretKey", "AccessKey", "ConnectionString", "Token", "ApiKey" }.Any(w => variable.EndsWith(w, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<(string Where, V1Container Container)> AllContainers() =>
        M.Deployments.SelectMany(d => d.Deployment.Spec.Template.Spec.Containers.Concat(d.Deployment.Spec.Template.Spec.InitContainers ?? [])
                .Select(c => ($"Deployment {d.Deployment.Metadata.Name} ({d.File}) container {c.Name}", c)))
            .Concat(M.Jobs.SelectMany(j => j.Job.Spec.Template.Spec.Containers.Concat(j.Job.Spec.Template.Spec.InitContainers ?? [])
                .Select(c => ($"Job {j.Job.Metadata.Name} ({j.File}) container {c.Name}", c))));

    [Fact]
    public void Should_take_every_secret_from_a_secret_the_operator_creates()
    {
        var problems = new List<string>();
        if (M.Secrets.Count > 0)
            problems.Add($"{string.Join(", ", M.Secrets.Select(s => s.File))}: a Secret with values in the repository; refer to Secrets the operator creates instead");
        foreach (var (file, map) in M.ConfigMaps)
            foreach (var key in (map.Data ?? new Dictionary<string, string>()).Keys.Where(k => PlatformSecrets.Contains(k) || LooksSecret(k)))
                problems.Add($"ConfigMap {map.Metadata.Name} ({file}) holds '{key}': secrets come from a Secret");
        foreach (var (where, container) in AllContainers())
        {
            var env = M.Environment(container);
            foreach (var (name, value) in env.Where(e => SecretVariables().Contains(e.Key) || PlatformSecrets.Contains(e.Key) || LooksSecret(e.Key)))
            {
                if (value.Secret is null) problems.Add($"{where}: {name} is {(value.Literal is null ? "not from a Secret" : "a literal value")}: take it from a secretKeyRef");
                else if (value.Secret.Optional == true) problems.Add($"{where}: {name} comes from an optional Secret key: without it the host would fall back to a default password");
            }
            foreach (var (name, value) in env.Where(e => e.Value.Literal is { } l && (BusOptionsValidator<RabbitMqOptions>.DefaultSecrets.Contains(l) && LooksSecret(e.Key) || l.Contains("password=", StringComparison.OrdinalIgnoreCase))))
                problems.Add($"{where}: {name} carries a password in clear");
            if (env.TryGetValue("DOTNET_ENVIRONMENT", out var environment) || env.TryGetValue("ASPNETCORE_ENVIRONMENT", out environment))
                if (!BusOptionsValidator<RabbitMqOptions>.IsProduction(environment.Literal ?? ""))
                    problems.Add($"{where}: runs in environment '{environment.Literal}'; only Production refuses default and empty secrets");
        }
        foreach (var (file, _, host, _) in Hosts())
        {
            var env = M.Environment(host);
            foreach (var missing in PlatformSecrets.Where(s => !s.EndsWith("MigrationConnectionString", StringComparison.Ordinal) && !env.ContainsKey(s)))
                problems.Add($"{file} container {host.Name}: {missing} is not set, so the host would start on the code's default (refused in Production, but say where the real one is)");
        }
        foreach (var auth in M.TriggerAuthentications.Where(a => a.Spec.Env is { Count: > 0 }))
            problems.Add($"{auth.File}: TriggerAuthentication {auth.Metadata.Name} reads values from the pod's environment; use secretTargetRef");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Should_migrate_in_a_job_as_the_owner_role_and_nowhere_else()
    {
        const string owner = "Bus__Postgres__MigrationConnectionString";
        var job = Assert.Single(M.Jobs).Job;
        var migrate = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal(["busctl", "db", "migrate"], migrate.Command);
        Assert.NotNull(M.Environment(migrate)[owner].Secret);
        foreach (var (file, deployment, host, _) in Hosts())
        {
            var env = M.Environment(host);
            Assert.False(env.ContainsKey(owner), $"Deployment {deployment.Metadata.Name} ({file}) is given the owner role's connection: only the migration Job needs it");
            Assert.False(env.TryGetValue("Bus__Postgres__MigrateAtStartup", out var at) && at.Literal?.ToLowerInvariant() == "true",
                $"Deployment {deployment.Metadata.Name} ({file}) migrates at start-up; the Job does that, once");
            // Pods wait for the schema instead of failing messages against missing tables.
            var wait = deployment.Spec.Template.Spec.InitContainers?.SingleOrDefault(c => c.Command is ["busctl", "db", "pending"]);
            Assert.True(wait is not null, $"Deployment {deployment.Metadata.Name} ({file}) starts without waiting for the migration (an init container running busctl db pending)");
        }
    }
}
