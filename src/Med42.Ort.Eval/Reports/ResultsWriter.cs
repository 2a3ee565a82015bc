// Writes results.json (lm-evaluation-harness v0.4's layout, HarnessResults, plus this project's own
// record under "med42": results{task:{acc, acc_stderr, acc_norm, acc_norm_stderr, n}}, groups{…},
// config{…} with the protocol choices), samples_{task}.jsonl with --log-samples (HarnessSamples) and
// results.md, each atomically.
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Med42.Ort.Core.IO;
using Med42.Ort.Eval.Metrics;

namespace Med42.Ort.Eval.Reports;

public static class ResultsWriter
{
    public const string ResultsFile = "results.json";
    public const string MarkdownFile = "results.md";
    public static string SamplesFile(string task) => $"samples_{task}.jsonl";

    /// <summary>The key under which results.json keeps this project's own record beside the harness's keys.</summary>
    public const string ProjectKey = "med42";

    private static readonly JsonWriterOptions Pretty = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes every output into <paramref name="outputDir"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> WriteAll(EvalReport report, string outputDir, bool logSamples = false)
    {
        var written = new List<string>();
        foreach (var t in logSamples ? report.Tasks : [])
        {
            var path = Path.Combine(outputDir, SamplesFile(t.Task));
            AtomicFile.Write(path, s => HarnessSamples.Write(t, s));
            written.Add(path);
        }
        var md = Path.Combine(outputDir, MarkdownFile);
        AtomicFile.WriteAllText(md, report.Markdown);
        written.Add(md);
        var results = Path.Combine(outputDir, ResultsFile);
        AtomicFile.Write(results, s => WriteResults(report, s));
        written.Add(results);
        return written;
    }

    public static void WriteResults(EvalReport report, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, Pretty);
        w.WriteStartObject();
        HarnessResults.Write(w, report);
        w.WriteStartObject(ProjectKey);
        w.WriteStartObject("results");
        foreach (var t in report.Tasks) Summary(w, t.Task, t.Metrics);
        w.WriteEndObject();
        w.WriteStartObject("groups");
        foreach (var g in report.Groups) Summary(w, g.Name, g);
        w.WriteEndObject();

        var c = report.Config;
        w.WriteStartObject("config");
        w.WriteString("model", c.Model);
        w.WriteStartArray("tasks");
        foreach (var t in c.Tasks) w.WriteStringValue(t);
        w.WriteEndArray();
        w.WriteNumber("num_fewshot", c.NumFewshot);
        w.WriteString("mmlu_style", c.MmluStyle);
        w.WriteBoolean("bos", c.Bos);
        w.WriteNumber("max_length", c.MaxLength);
        if (c.Limit is { } limit) w.WriteNumber("limit", limit); else w.WriteNull("limit");
        w.WriteString("template_version", c.TemplateVersion);
        w.WriteStartObject("versions");
        foreach (var t in report.Tasks) w.WriteString(t.Task, t.Version);
        w.WriteEndObject();
        w.WriteStartObject("n-shot");
        foreach (var t in report.Tasks) w.WriteNumber(t.Task, t.NumFewshot);
        w.WriteEndObject();
        HarnessResults.NSamples(w, report, (w, t) =>
        {
            w.WriteNumber("skipped_bad", t.Skipped);
            w.WriteString("data", t.DataPath);
        });
        w.WriteString("date", c.Date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        w.WriteStartArray("notes");
        foreach (var n in c.Notes) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Summary(Utf8JsonWriter w, string name, MetricSummary m)
    {
        w.WriteStartObject(name);
        Number(w, "acc", m.Acc.Mean);
        Number(w, "acc_stderr", m.Acc.Stderr);
        Number(w, "acc_norm", m.AccNorm.Mean);
        Number(w, "acc_norm_stderr", m.AccNorm.Stderr);
        w.WriteNumber("n", m.N);
        w.WriteEndObject();
    }

    // JSON has no NaN/Infinity: undefined values (stderr of n < 2, -inf log-likelihoods) are null.
    private static void Number(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x && double.IsFinite(x)) w.WriteNumber(name, x); else w.WriteNull(name);
    }

}
