using System.Text.Json;
using YamlDotNet.Serialization;

namespace Bus.Tests.Deploy;

/// <summary>
/// deploy/prometheus (alert rules, Grafana dashboard) and the compose stack's Prometheus use only series the hosts
/// really export: a renamed instrument or a typo fails here instead of leaving an alert silently blind.
/// </summary>
public class When_bus_is_watched_with_prometheus
{
    private const string Rules = "deploy/prometheus/bus-alerts.yml";
    private const string Dashboard = "deploy/prometheus/bus-dashboard.json";
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    private static List<(string Name, string Expr)> AlertExpressions()
    {
        var doc = Yaml.Deserialize<Dictionary<string, List<Dictionary<string, object>>>>(File.ReadAllText(RepositoryFiles.PathOf(Rules)));
        return doc["groups"].SelectMany(g => (List<object>)g["rules"]).Cast<Dictionary<object, object>>()
            .Select(r => ((string)(r.GetValueOrDefault("alert") ?? r["record"]), (string)r["expr"])).ToList();
    }

    private static IEnumerable<(string Where, string Expr)> DashboardQueries()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf(Dashboard)));
        var found = new List<(string, string)>();
        Walk(doc.RootElement, "$", found);
        return found;
    }

    private static void Walk(JsonElement e, string path, List<(string, string)> found)
    {
        if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name is "expr" or "query" or "definition" && p.Value.ValueKind == JsonValueKind.String) found.Add(($"{path}.{p.Name}", p.Value.GetString()!));
                else Walk(p.Value, $"{path}.{p.Name}", found);
            }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in e.EnumerateArray()) Walk(item, $"{path}[{i++}]", found);
        }
    }

    /// <summary>Labels Prometheus itself adds: histogram buckets, and the scrape's job and target (plus the Kubernetes job's pod and role group).</summary>
    private static readonly string[] ScrapeLabels = ["le", "job", "instance", "pod", "bus_role_group"];

    private static List<string> Unknown(IEnumerable<(string Where, string Expr)> queries)
    {
        var problems = new List<string>();
        foreach (var (where, expr) in queries)
        {
            var (metrics, labels) = PromQl.Names(expr);
            problems.AddRange(metrics.Where(m => !MetricCatalog.Series.Contains(m)).Select(m => $"{where}: metric {m} is not exported by any host"));
            problems.AddRange(labels.Where(l => !MetricCatalog.Labels.Contains(l) && !ScrapeLabels.Contains(l)).Select(l => $"{where}: label {l} is on no Bus or MassTransit series"));
        }
        return problems;
    }

    [Fact]
    public void Should_know_the_series_the_code_exports()
    {
        // Guards the catalog itself: names as a real scrape of a host shows them.
        Assert.Contains("bus_ingest_finished_total", MetricCatalog.Series);
        Assert.Contains("bus_step_duration_seconds_bucket", MetricCatalog.Series);
        Assert.Contains("bus_outbox_oldest_age_seconds", MetricCatalog.Series);
        Assert.Contains("bus_queue_messages", MetricCatalog.Series);
        Assert.Contains("messaging_masstransit_consume_ea_total", MetricCatalog.Series);
        Assert.Contains("messaging_destination_name", MetricCatalog.Labels);
    }

    [Fact]
    public void Should_alert_only_on_series_the_hosts_export()
    {
        var rules = AlertExpressions();
        Assert.NotEmpty(rules);
        var problems = Unknown(rules.Select(r => ($"{Rules} {r.Name}", r.Expr)));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Should_alert_on_what_needs_a_person()
    {
        var used = AlertExpressions().SelectMany(r => PromQl.Names(r.Expr).Metrics).ToHashSet();
        // Lost copies, stuck sagas, error queues, the outbox, ingest failures (issue 16).
        Assert.Contains("bus_fixity_lost_total", used);
        Assert.Contains("bus_sagas", used);
        Assert.Contains("bus_queue_messages", used);
        Assert.Contains("bus_outbox_oldest_age_seconds", used);
        Assert.Contains("bus_ingest_finished_total", used);
    }

    [Fact]
    public void Should_chart_only_series_the_hosts_export()
    {
        var queries = DashboardQueries().ToList();
        Assert.NotEmpty(queries);
        var problems = Unknown(queries);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Should_scrape_the_host_and_load_the_rules_in_the_compose_stack()
    {
        var compose = Yaml.Deserialize<Dictionary<string, object>>(File.ReadAllText(RepositoryFiles.PathOf("docker/compose.yml")));
        var services = (Dictionary<object, object>)compose["services"];
        var prometheus = (Dictionary<object, object>)services["prometheus"];
        var mounts = ((List<object>)prometheus["volumes"]).Cast<string>().ToList();
        Assert.Contains(mounts, m => m.StartsWith("../" + Rules + ":", StringComparison.Ordinal));
        var config = Yaml.Deserialize<Dictionary<string, object>>(File.ReadAllText(RepositoryFiles.PathOf("docker/prometheus.yml")));
        var jobs = ((List<object>)config["scrape_configs"]).Cast<Dictionary<object, object>>().ToList();
        var targets = jobs.SelectMany(j => ((List<object>)j["static_configs"]).Cast<Dictionary<object, object>>())
            .SelectMany(s => ((List<object>)s["targets"]).Cast<string>()).ToList();
        Assert.Contains("bus-host:8480", targets);
        // Every file the compose stack mounts exists (a renamed rule or dashboard file would start Prometheus without it).
        foreach (var mount in services.Values.Cast<Dictionary<object, object>>().Where(s => s.ContainsKey("volumes"))
                     .SelectMany(s => ((List<object>)s["volumes"]).Cast<string>()).Where(v => v.StartsWith('.')))
            Assert.True(Path.Exists(Path.Combine(RepositoryFiles.PathOf("docker"), mount.Split(':')[0])), $"docker/compose.yml mounts {mount.Split(':')[0]}, which does not exist");
    }
}
