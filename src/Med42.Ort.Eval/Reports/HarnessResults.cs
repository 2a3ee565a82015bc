// The top-level keys of results.json in lm-evaluation-harness v0.4's layout (v0.4.12:
// evaluator_utils.EvalAcc._to_eval_results, api/group.Group.aggregate, evaluator.simple_evaluate,
// result_schema.EvalResults): results and groups keyed by name with "metric,filter" keys
// ("acc,none", "acc_stderr,none"; stderr "N/A" when undefined), alias, name, sample_len;
// group_subtasks, configs, versions, n-shot, higher_is_better, n-samples {original, effective}, config,
// date (UNIX seconds), max_length, model_name. Groups aggregate acc size-weighted with the pooled stderr.
using System.Text.Json;
using Med42.Ort.Eval.Metrics;
using Med42.Ort.Eval.Tasks;

namespace Med42.Ort.Eval.Reports;

public static class HarnessResults
{
    /// <summary>The harness's default bootstrap_iters: for mean-aggregated metrics it means the closed-form stderr computed here.</summary>
    public const int BootstrapIters = 100000;

    /// <summary>Writes the harness keys into the open root object of <paramref name="w"/>.</summary>
    public static void Write(Utf8JsonWriter w, EvalReport report)
    {
        var groups = report.Groups.Select(g => (Summary: g, Spec: TaskRegistry.GroupSpecs[g.Name])).ToArray();
        w.WriteStartObject("results");
        foreach (var t in report.Tasks) TaskEntry(w, t);
        foreach (var (g, spec) in groups) GroupEntry(w, g, spec);
        w.WriteEndObject();
        if (groups.Length > 0)
        {
            w.WriteStartObject("groups");
            foreach (var (g, spec) in groups) GroupEntry(w, g, spec);
            w.WriteEndObject();
        }
        w.WriteStartObject("group_subtasks");
        foreach (var (_, spec) in groups)
        {
            w.WriteStartArray(spec.Group);
            foreach (var c in spec.Children) w.WriteStringValue(c);
            w.WriteEndArray();
        }
        w.WriteEndObject();

        w.WriteStartObject("configs");
        foreach (var t in report.Tasks.OrderBy(t => t.Task, StringComparer.Ordinal)) TaskConfig(w, t);
        w.WriteEndObject();
        Sorted(w, "versions", report.Tasks.Select(t => (t.Task, t.Spec.Version)).Concat(groups.Select(g => (g.Spec.Group, g.Spec.Version))),
            (w, v) => w.WriteStringValue(v));
        Sorted(w, "n-shot", NShot(report, groups.Select(g => g.Spec)), (w, n) => w.WriteNumberValue(n));
        Sorted(w, "higher_is_better", HigherIsBetter(report, groups.Select(g => g.Spec)), (w, metrics) =>
        {
            w.WriteStartObject();
            foreach (var (m, h) in metrics) w.WriteBoolean(m, h);
            w.WriteEndObject();
        });
        NSamples(w, report);
        RunConfig(w, report.Config);
    }

    /// <summary>"n-samples": documents available and scored per task, plus whatever <paramref name="extra"/> adds to each entry.</summary>
    internal static void NSamples(Utf8JsonWriter w, EvalReport report, Action<Utf8JsonWriter, TaskResult>? extra = null)
    {
        w.WriteStartObject("n-samples");
        foreach (var t in report.Tasks)
        {
            w.WriteStartObject(t.Task);
            w.WriteNumber("original", t.Available);
            w.WriteNumber("effective", t.Metrics.N);
            extra?.Invoke(w, t);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void TaskEntry(Utf8JsonWriter w, TaskResult t)
    {
        w.WriteStartObject(t.Task);
        w.WriteString("name", t.Task);
        w.WriteString("alias", t.Spec.Alias);
        w.WriteNumber("sample_len", t.Metrics.N);
        foreach (var m in t.Spec.Metrics)
        {
            var value = m.Name == "acc_norm" ? t.Metrics.AccNorm : t.Metrics.Acc;
            Metric(w, m.Name, value);
        }
        w.WriteEndObject();
    }

    private static void GroupEntry(Utf8JsonWriter w, MetricSummary g, HarnessGroupSpec spec)
    {
        w.WriteStartObject(spec.Group);
        w.WriteString("alias", spec.Group);
        w.WriteString("name", spec.Group);
        w.WriteNumber("sample_len", g.N);
        foreach (var m in HarnessGroupSpec.Aggregate) Metric(w, m.Name, m.Name == "acc_norm" ? g.AccNorm : g.Acc);
        w.WriteStartObject("sample_count");
        foreach (var m in HarnessGroupSpec.Aggregate) w.WriteNumber($"{m.Name},{HarnessTaskSpec.Filter}", g.N);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Metric(Utf8JsonWriter w, string name, MetricValue v)
    {
        var key = $"{name},{HarnessTaskSpec.Filter}";
        if (double.IsFinite(v.Mean)) w.WriteNumber(key, v.Mean); else w.WriteNull(key);
        var stderrKey = $"{name}_stderr,{HarnessTaskSpec.Filter}";
        if (v.Stderr is { } se && double.IsFinite(se)) w.WriteNumber(stderrKey, se); else w.WriteString(stderrKey, "N/A");
    }

    private static void TaskConfig(Utf8JsonWriter w, TaskResult t)
    {
        var s = t.Spec;
        w.WriteStartObject(t.Task);
        w.WriteString("task", s.Task);
        if (s.Alias != s.Task) w.WriteString("task_alias", s.Alias);
        w.WriteString("dataset_path", s.DatasetPath);
        if (s.DatasetName is not null) w.WriteString("dataset_name", s.DatasetName);
        w.WriteString("test_split", s.TestSplit);
        if (s.FewshotSplit is not null) w.WriteString("fewshot_split", s.FewshotSplit);
        w.WriteString("doc_to_text", s.DocToText);
        w.WriteString("doc_to_target", s.DocToTarget);
        w.WriteString("doc_to_choice", s.DocToChoice);
        w.WriteString("description", s.Description ?? "");
        w.WriteString("target_delimiter", HarnessTaskSpec.TargetDelimiter);
        w.WriteString("fewshot_delimiter", HarnessTaskSpec.FewshotDelimiter);
        if (s.FewshotSplit is not null)
        {
            w.WriteStartObject("fewshot_config");
            w.WriteString("sampler", "first_n");
            w.WriteEndObject();
        }
        w.WriteNumber("num_fewshot", t.NumFewshot);
        w.WriteStartArray("metric_list");
        foreach (var m in s.Metrics)
        {
            w.WriteStartObject();
            w.WriteString("metric", m.Name);
            w.WriteString("aggregation", m.Aggregation);
            w.WriteBoolean("higher_is_better", m.HigherIsBetter);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("output_type", "multiple_choice");
        w.WriteNumber("repeats", 1);
        w.WriteBoolean("should_decontaminate", false);
        w.WriteStartObject("metadata");
        w.WriteString("version", s.Version);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    // _propagate_num_fewshot: a group gets its children's value when they all agree (children before parents).
    private static List<(string, int)> NShot(EvalReport report, IEnumerable<HarnessGroupSpec> groups)
    {
        var map = report.Tasks.ToDictionary(t => t.Task, t => t.NumFewshot);
        foreach (var g in groups)
        {
            var values = g.Children.Where(map.ContainsKey).Select(c => map[c]).Distinct().ToArray();
            if (values.Length == 1) map[g.Group] = values[0];
        }
        return map.Select(kv => (kv.Key, kv.Value)).ToList();
    }

    // _propagate_higher_is_better: a group gets the union of its children's metric directions.
    private static List<(string, List<(string, bool)>)> HigherIsBetter(EvalReport report, IEnumerable<HarnessGroupSpec> groups)
    {
        var map = report.Tasks.ToDictionary(t => t.Task, t => t.Spec.Metrics.Select(m => (m.Name, m.HigherIsBetter)).ToList());
        foreach (var g in groups)
        {
            var union = new List<(string, bool)>();
            foreach (var c in g.Children.Where(map.ContainsKey))
                foreach (var m in map[c]) if (!union.Any(u => u.Item1 == m.Item1)) union.Add(m);
            if (union.Count > 0) map[g.Group] = union;
        }
        return map.Select(kv => (kv.Key, kv.Value)).ToList();
    }

    private static void Sorted<T>(Utf8JsonWriter w, string name, IEnumerable<(string Key, T Value)> items, Action<Utf8JsonWriter, T> value)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in items.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            w.WritePropertyName(k);
            value(w, v);
        }
        w.WriteEndObject();
    }

    private static void RunConfig(Utf8JsonWriter w, EvalRunConfig c)
    {
        w.WriteStartObject("config");
        w.WriteString("model", c.Model);
        w.WriteNull("model_args");
        if (c.BatchSize is { } b) w.WriteNumber("batch_size", b); else w.WriteNull("batch_size");
        w.WriteStartArray("batch_sizes");
        w.WriteEndArray();
        if (c.Device is { } d) w.WriteString("device", d); else w.WriteNull("device");
        w.WriteNull("use_cache");
        if (c.Limit is { } limit) w.WriteNumber("limit", limit); else w.WriteNull("limit");
        w.WriteNumber("bootstrap_iters", BootstrapIters);
        w.WriteNull("gen_kwargs");
        foreach (var seed in new[] { "random_seed", "numpy_seed", "torch_seed", "fewshot_seed" }) w.WriteNumber(seed, c.Seed);
        w.WriteEndObject();
        w.WriteNumber("date", c.Date.ToUnixTimeMilliseconds() / 1000.0);
        w.WriteNumber("max_length", c.MaxLength);
        w.WriteString("model_name", c.Model);
    }
}
