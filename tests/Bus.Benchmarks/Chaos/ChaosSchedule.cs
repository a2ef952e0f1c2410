using System.Globalization;

namespace Bus.Benchmarks.Chaos;

public enum Outage { RabbitMqSigkill, PostgresImmediate, PostgresSigkill }

/// <summary>One server outage: when it starts (seconds into the chaos window) and how long the server stays down before its restart begins.</summary>
public sealed record OutageEvent(double AtSeconds, Outage Kind, double DownSeconds);

/// <summary>
/// What the chaos run does and when, all drawn from one seed (printed, so a run can be repeated): two RabbitMQ node
/// SIGKILLs and two PostgreSQL crashes (one <c>pg_ctl stop -m immediate</c>, one SIGKILL of the postmaster), each in its
/// own quarter of the window so no two outages overlap, and the bus-host's lives (SIGKILLed 2-6 s after it answers).
/// </summary>
public sealed class ChaosSchedule
{
    private readonly Random _hostLives;

    private ChaosSchedule(int seed, double windowSeconds, IReadOnlyList<OutageEvent> outages)
    {
        Seed = seed;
        WindowSeconds = windowSeconds;
        Outages = outages;
        _hostLives = new Random(seed ^ 0x5eed);
    }

    public int Seed { get; }
    public double WindowSeconds { get; }
    public IReadOnlyList<OutageEvent> Outages { get; }

    public static ChaosSchedule Create(int seed, double windowSeconds)
    {
        var random = new Random(seed);
        var kinds = new[] { Outage.RabbitMqSigkill, Outage.PostgresImmediate, Outage.RabbitMqSigkill, Outage.PostgresSigkill };
        var quarter = windowSeconds / kinds.Length;
        // Inside the first half of each quarter: the restart (20-40 s for RabbitMQ on a loaded machine) ends before the next outage.
        var outages = kinds.Select((k, i) => new OutageEvent(Math.Round(i * quarter + random.NextDouble() * quarter / 2, 1), k, Math.Round(3 + random.NextDouble() * 7, 1))).ToList();
        return new ChaosSchedule(seed, windowSeconds, outages);
    }

    /// <summary>Seconds the next bus-host lives after it answered /health/ready (or after the start-up wait gave up): 2-6 s.</summary>
    public double NextHostLife() => Math.Round(2 + _hostLives.NextDouble() * 4, 1);

    public string Describe() =>
        $"seed {Seed}, window {WindowSeconds:F0} s; bus-host SIGKILLed 2-6 s after each start answers; outages: " +
        string.Join("; ", Outages.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.AtSeconds:F1} s {Name(o.Kind)}, down {o.DownSeconds:F1} s then restarted")));

    public static string Name(Outage kind) => kind switch
    {
        Outage.RabbitMqSigkill => "RabbitMQ node SIGKILL",
        Outage.PostgresImmediate => "PostgreSQL pg_ctl stop -m immediate",
        _ => "PostgreSQL postmaster SIGKILL",
    };
}
