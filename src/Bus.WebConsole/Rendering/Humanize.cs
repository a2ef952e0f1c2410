using System.Globalization;

namespace Bus.WebConsole.Rendering;

/// <summary>Numbers and sizes as people read them (1.5 GiB, 12,345): the exact value goes in a title attribute.</summary>
public static class Humanize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Bytes(long bytes)
    {
        if (bytes < 1024) return bytes.ToString("N0", CultureInfo.InvariantCulture) + " B";
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1) { value /= 1024; unit++; }
        return value.ToString(value < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    public static string Count(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>UTC as the page is served; console.js rewrites each &lt;time&gt; in the viewer's own zone.</summary>
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan span) => span.TotalSeconds < 60 ? $"{span.TotalSeconds:0.#} s"
        : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
        : $"{(int)span.TotalHours} h {span.Minutes} min";

    /// <summary>A configured window in its largest whole unit: "24 hours", "1 hour", "90 days" (days from two whole days), "1.5 hours".</summary>
    public static string Window(TimeSpan span)
    {
        static string Unit(double n, string unit) => $"{n.ToString("0.##", CultureInfo.InvariantCulture)} {unit}{(n == 1 ? "" : "s")}";
        if (span.TotalDays >= 2 && span.Ticks % TimeSpan.TicksPerDay == 0) return Unit(span.TotalDays, "day");
        if (span.TotalHours >= 1) return Unit(span.TotalHours, "hour");
        if (span.TotalMinutes >= 1) return Unit(span.TotalMinutes, "minute");
        return Unit(span.TotalSeconds, "second");
    }

    public static int Percent(long done, long total) => total <= 0 ? 0 : (int)Math.Clamp(done * 100 / total, 0, 100);
}
