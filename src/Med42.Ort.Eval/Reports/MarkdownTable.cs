// The summary table printed to stdout and written as results.md (harness make_table layout, trimmed).
using System.Globalization;
using System.Text;
using Med42.Ort.Eval.Metrics;

namespace Med42.Ort.Eval.Reports;

public static class MarkdownTable
{
    public static string Render(EvalReport report)
    {
        var sb = new StringBuilder();
        sb.Append("| Task | Version | Shots | n | acc | ± | acc_norm | ± |\n");
        sb.Append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var t in report.Tasks)
            Row(sb, t.Task, t.Version, t.NumFewshot.ToString(CultureInfo.InvariantCulture), t.Metrics);
        if (report.Groups.Count > 0)
        {
            sb.Append("\n| Group | n | acc | ± | acc_norm | ± |\n");
            sb.Append("|---|---:|---:|---:|---:|---:|\n");
            foreach (var g in report.Groups)
                sb.Append(CultureInfo.InvariantCulture, $"| {g.Name} | {g.N} | {F(g.Acc.Mean)} | {F(g.Acc.Stderr)} | {F(g.AccNorm.Mean)} | {F(g.AccNorm.Stderr)} |\n");
        }
        var c = report.Config;
        sb.Append(CultureInfo.InvariantCulture,
            $"\nmodel: {c.Model}; template: {c.TemplateVersion}; shots: {c.NumFewshot}; mmlu style: {c.MmluStyle}; bos: {(c.Bos ? "yes" : "no")}; max length: {c.MaxLength}{(c.Limit is { } l ? $"; limit: {l}" : "")}\n");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, string version, string shots, MetricSummary m) =>
        sb.Append(CultureInfo.InvariantCulture, $"| {name} | {version} | {shots} | {m.N} | {F(m.Acc.Mean)} | {F(m.Acc.Stderr)} | {F(m.AccNorm.Mean)} | {F(m.AccNorm.Stderr)} |\n");

    private static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "N/A";
}
