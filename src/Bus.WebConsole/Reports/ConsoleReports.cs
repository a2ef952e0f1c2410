using System.Globalization;
using System.Text;
using Bus.WebConsole.Rendering;
using Npgsql;

namespace Bus.WebConsole.Reports;

/// <summary>One report: a title, its columns, and rows of cells (text or whole numbers).</summary>
public sealed record Report(string Name, string Title, string Description, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<object?[]> Rows);

public sealed record ReportColumn(string Name, bool IsBytes = false);

/// <summary>
/// The reports page and its CSV downloads (/reports/{name}.csv) read the same queries, scoped to one
/// institution or to all (as the policy table lets the viewer read objects). Each is one SQL statement
/// over the registry, so the CSV is exactly what the database holds at that moment.
/// </summary>
public static class ConsoleReports
{
    public static readonly IReadOnlyList<string> Names = ["deposits", "storage", "fixity", "formats"];

    /// <summary>In a description: replaced by the fixity window (Bus:Console:FixityReportWindow).</summary>
    private const string WindowWords = "{window}";

    private static readonly Dictionary<string, (string Title, string Description, ReportColumn[] Columns, string Sql)> Catalogue = new()
    {
        ["deposits"] = ("Deposits per institution", "Objects first ingested per month, with their active files and bytes.",
            [new("institution"), new("month"), new("objects"), new("files"), new("bytes", IsBytes: true)],
            """
            SELECT o.institution, to_char(date_trunc('month', o.created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
                   count(DISTINCT o.id) AS objects, count(f.id) AS files, coalesce(sum(f.size), 0)::bigint AS bytes
            FROM registry.intellectual_objects o
            LEFT JOIN registry.generic_files f ON f.object_id = o.id AND f.state = 'active'
            WHERE o.state = 'active' AND (@institution IS NULL OR o.institution = @institution)
            GROUP BY 1, 2 ORDER BY 1, 2
            """),
        ["storage"] = ("Bytes per storage option", "Active copies and the bytes they hold, per storage option and tier.",
            [new("storage_option"), new("tier"), new("copies"), new("bytes", IsBytes: true)],
            """
            SELECT s.storage_option, s.tier, count(*) AS copies, coalesce(sum(f.size), 0)::bigint AS bytes
            FROM registry.storage_records s
            JOIN registry.generic_files f ON f.id = s.file_id
            JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE s.state = 'active' AND (@institution IS NULL OR o.institution = @institution)
            GROUP BY 1, 2 ORDER BY 1, 2
            """),
        ["fixity"] = ("Fixity health", $"Active hot copies per institution: checked in the last {WindowWords}, never checked, last check intact or repaired, lost, other failures.",
            [new("institution"), new("hot_copies"), new("checked_recently"), new("never_checked"), new("intact"), new("lost"), new("failed")],
            """
            SELECT o.institution, count(*) AS hot_copies,
                   count(*) FILTER (WHERE s.last_fixity_at >= now() - @window) AS checked_recently,
                   count(*) FILTER (WHERE s.last_fixity_at IS NULL) AS never_checked,
                   count(*) FILTER (WHERE s.last_fixity_outcome IN ('intact', 'repaired')) AS intact,
                   count(*) FILTER (WHERE s.last_fixity_outcome = 'lost') AS lost,
                   count(*) FILTER (WHERE s.last_fixity_outcome IS NOT NULL AND s.last_fixity_outcome NOT IN ('intact', 'repaired', 'lost')) AS failed
            FROM registry.storage_records s
            JOIN registry.generic_files f ON f.id = s.file_id
            JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE s.state = 'active' AND s.tier = 'hot' AND (@institution IS NULL OR o.institution = @institution)
            GROUP BY 1 ORDER BY 1
            """),
        ["formats"] = ("Formats census", "Active files per identified format (MIME type).",
            [new("format"), new("files"), new("bytes", IsBytes: true)],
            """
            SELECT f.format, count(*) AS files, coalesce(sum(f.size), 0)::bigint AS bytes
            FROM registry.generic_files f
            JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE f.state = 'active' AND (@institution IS NULL OR o.institution = @institution)
            GROUP BY 1 ORDER BY 2 DESC, 1
            """),
    };

    public static bool Exists(string name) => Catalogue.ContainsKey(name);

    /// <summary>Runs report <paramref name="name"/> over one institution, or every one when <paramref name="institution"/> is null.</summary>
    /// <remarks><paramref name="fixityWindow"/>: within it a copy counts as recently checked (default 90 days, the fixity sweep's default interval).</remarks>
    public static async Task<Report> RunAsync(NpgsqlDataSource database, string name, string? institution, CancellationToken ct, TimeSpan? fixityWindow = null)
    {
        var (title, description, columns, sql) = Catalogue[name];
        var window = fixityWindow ?? TimeSpan.FromDays(90);
        description = description.Replace(WindowWords, Humanize.Window(window), StringComparison.Ordinal);
        await using var command = database.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string?>("institution", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = institution });
        if (sql.Contains("@window", StringComparison.Ordinal))
            command.Parameters.Add(new NpgsqlParameter<TimeSpan>("window", NpgsqlTypes.NpgsqlDbType.Interval) { TypedValue = window });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return new Report(name, title, description, columns, rows);
    }

    /// <summary>
    /// RFC 4180 CSV with a header line. Text that a spreadsheet would run as a formula (= + - @ at the
    /// start) gets a leading apostrophe: report cells hold depositors' strings (formats, names).
    /// </summary>
    public static string ToCsv(Report report)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', report.Columns.Select(c => Cell(c.Name))).Append("\r\n");
        foreach (var row in report.Rows) csv.AppendJoin(',', row.Select(Cell)).Append("\r\n");
        return csv.ToString();
    }

    internal static string Cell(object? value)
    {
        switch (value)
        {
            case null: return "";
            case long or int or short or decimal: return Convert.ToString(value, CultureInfo.InvariantCulture)!;
        }
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        if (text.Length > 0 && "=+-@\t\r".Contains(text[0])) text = "'" + text;
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }
}
