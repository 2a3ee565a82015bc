// results.json and samples_{task}.jsonl checked against lm-evaluation-harness v0.4's documented format,
// written here from the harness's source, not from our output:
//   lm_eval/result_schema.py (EvalResults, _TaskMetrics, _SampleCount, _EvalConfig, SampleResult),
//   lm_eval/evaluator_utils.py (_compute_task_aggregations: "metric,filter" and "metric_stderr,filter"
//   keys, "N/A" stderr), lm_eval/api/group.py (Group.aggregate: size-weighted mean, pooled stderr,
//   sample_count), lm_eval/evaluator.py + loggers/evaluation_tracker.py (sample records, hash_string),
//   and the task YAMLs: medqa.yaml and medmcqa.yaml list acc and acc_norm; pubmedqa.yaml and
//   mmlu/default/_default_template_yaml list acc only; mmlu_{subject}.yaml sets task_alias = subject.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Med42.Ort.Eval.Reports;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Eval.Tests.Fakes;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests.Reports;

public class HarnessFormatTests
{
    private static readonly string[] Mmlu = ["mmlu_anatomy", "mmlu_clinical_knowledge", "mmlu_college_biology",
        "mmlu_college_medicine", "mmlu_medical_genetics", "mmlu_professional_medicine"];

    // metric_list of each task's YAML.
    private static string[] MetricsOf(string task) => task is "medqa_4options" or "medmcqa" ? ["acc", "acc_norm"] : ["acc"];

    // dataset_path (and dataset_name) of each task's YAML.
    private static (string Path, string? Name) DatasetOf(string task) => task switch
    {
        "medqa_4options" => ("GBaker/MedQA-USMLE-4-options-hf", null),
        "medmcqa" => ("openlifescienceai/medmcqa", null),
        "pubmedqa" => ("bigbio/pubmed_qa", "pubmed_qa_labeled_fold0_source"),
        _ => ("cais/mmlu", task["mmlu_".Length..]),
    };

    // EvalResults keys that evaluate() + simple_evaluate() always write (groups: when a group aggregates).
    private static readonly string[] TopLevel = ["results", "groups", "group_subtasks", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "config"];
    // _EvalConfig keys simple_evaluate() writes.
    private static readonly string[] ConfigKeys = ["model", "model_args", "batch_size", "batch_sizes", "device", "use_cache", "limit",
        "bootstrap_iters", "gen_kwargs", "random_seed", "numpy_seed", "torch_seed", "fewshot_seed"];
    // SampleResult's fixed keys, in the order evaluator.py builds the record; the metric floats follow.
    private static readonly string[] SampleKeys = ["doc_id", "doc", "target", "arguments", "resps", "filtered_resps", "filter", "metrics",
        "doc_hash", "prompt_hash", "target_hash"];

    private static (JsonElement Results, string Dir) Run(TempDir output, int? limit)
    {
        using var data = new TempDir();
        EvalRunnerTests.LayOut(data.Path);
        new EvalRunner(new RandomScorer(seed: 7), new FakeTokenizer()).Run(new EvalOptions
        {
            Tasks = ["medical"], DataDir = data.Path, OutputDir = output.Path, LogSamples = true, Limit = limit, ModelName = "fake", BatchSize = 8,
        });
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "results.json")));
        return (doc.RootElement.Clone(), output.Path);
    }

    [SkippableFact]
    public void ResultsJson_HasTheHarnessLayout()
    {
        using var output = new TempDir();
        var (r, _) = Run(output, limit: null);
        foreach (var key in TopLevel) Assert.True(r.TryGetProperty(key, out _), $"results.json lacks '{key}'");
        Assert.True(r.GetProperty("date").ValueKind == JsonValueKind.Number); // a UNIX timestamp

        string[] tasks = ["medqa_4options", "medmcqa", "pubmedqa", .. Mmlu];
        var results = r.GetProperty("results");
        foreach (var t in tasks)
        {
            var e = results.GetProperty(t);
            var expected = new[] { "name", "alias", "sample_len" }.Concat(MetricsOf(t).SelectMany(m => new[] { $"{m},none", $"{m}_stderr,none" }));
            Assert.Equal(expected.Order(), e.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(t.StartsWith("mmlu_", StringComparison.Ordinal) ? t["mmlu_".Length..] : t, e.GetProperty("alias").GetString());
            Assert.InRange(e.GetProperty("acc,none").GetDouble(), 0, 1);
        }

        // Group layout: medical holds three tasks and the mmlu_medical subgroup.
        var subtasks = r.GetProperty("group_subtasks");
        Assert.Equal(new[] { "medqa_4options", "medmcqa", "pubmedqa", "mmlu_medical" }, subtasks.GetProperty("medical").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(Mmlu, subtasks.GetProperty("mmlu_medical").EnumerateArray().Select(x => x.GetString()));
        var groups = r.GetProperty("groups");
        foreach (var (g, leaves) in new[] { ("medical", tasks), ("mmlu_medical", Mmlu) })
        {
            var e = groups.GetProperty(g);
            Assert.Equal(new[] { "alias", "name", "sample_len", "acc,none", "acc_stderr,none", "sample_count" }.Order(), e.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(e.GetRawText(), results.GetProperty(g).GetRawText()); // groups also appear in results
            // Group.aggregate: size-weighted mean; pooled_sample_stderr = sqrt(Σ(n−1)·n·se² / (Σn − k) / Σn).
            var n = leaves.Select(t => results.GetProperty(t).GetProperty("sample_len").GetDouble()).ToArray();
            var acc = leaves.Select(t => results.GetProperty(t).GetProperty("acc,none").GetDouble()).ToArray();
            var se = leaves.Select(t => results.GetProperty(t).GetProperty("acc_stderr,none").GetDouble()).ToArray();
            var total = n.Sum();
            // 1e-12: the same sums in another order.
            Assert.Equal(n.Zip(acc).Sum(p => p.First * p.Second) / total, e.GetProperty("acc,none").GetDouble(), 1e-12);
            var pooled = Math.Sqrt(n.Zip(se).Sum(p => (p.First - 1) * p.Second * p.Second * p.First) / (total - n.Length) / total);
            Assert.Equal(pooled, e.GetProperty("acc_stderr,none").GetDouble(), 1e-12);
            Assert.Equal(total, e.GetProperty("sample_count").GetProperty("acc,none").GetDouble());
        }

        var configs = r.GetProperty("configs");
        Assert.Equal(tasks.Order(StringComparer.Ordinal), configs.EnumerateObject().Select(p => p.Name)); // sorted, as _to_eval_results writes
        foreach (var t in tasks)
        {
            var c = configs.GetProperty(t);
            Assert.Equal(t, c.GetProperty("task").GetString());
            Assert.Equal("multiple_choice", c.GetProperty("output_type").GetString());
            var (path, name) = DatasetOf(t);
            Assert.Equal(path, c.GetProperty("dataset_path").GetString());
            Assert.Equal(name, c.TryGetProperty("dataset_name", out var dn) ? dn.GetString() : null);
            foreach (var k in new[] { "doc_to_text", "doc_to_target", "doc_to_choice", "target_delimiter", "fewshot_delimiter" }) Assert.True(c.TryGetProperty(k, out _), $"{t}: {k}");
            Assert.Equal(0, c.GetProperty("num_fewshot").GetInt32());
            var metrics = c.GetProperty("metric_list").EnumerateArray().ToArray();
            Assert.Equal(MetricsOf(t), metrics.Select(m => m.GetProperty("metric").GetString()));
            Assert.All(metrics, m => Assert.Equal(("mean", true), (m.GetProperty("aggregation").GetString(), m.GetProperty("higher_is_better").GetBoolean())));
            Assert.Equal(MetricsOf(t), r.GetProperty("higher_is_better").GetProperty(t).EnumerateObject().Select(p => p.Name));
            Assert.Equal(0, r.GetProperty("n-shot").GetProperty(t).GetInt32());
            var ns = r.GetProperty("n-samples").GetProperty(t);
            Assert.Equal(new[] { "effective", "original" }, ns.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(results.GetProperty(t).GetProperty("sample_len").GetInt32(), ns.GetProperty("effective").GetInt32());
        }
        // medqa.yaml and medmcqa.yaml set no metadata.version, so the task keeps ConfigurableTask.VERSION "Yaml".
        Assert.Equal(("Yaml", "Yaml", "1.0", "1.0"), (r.GetProperty("versions").GetProperty("medqa_4options").GetString(),
            r.GetProperty("versions").GetProperty("medmcqa").GetString(), r.GetProperty("versions").GetProperty("pubmedqa").GetString(),
            r.GetProperty("versions").GetProperty("mmlu_anatomy").GetString()));
        // _propagate_higher_is_better: the union of the children's metrics.
        Assert.Equal(["acc", "acc_norm"], r.GetProperty("higher_is_better").GetProperty("medical").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["acc"], r.GetProperty("higher_is_better").GetProperty("mmlu_medical").EnumerateObject().Select(p => p.Name));
        var config = r.GetProperty("config");
        foreach (var k in ConfigKeys) Assert.True(config.TryGetProperty(k, out _), $"config lacks '{k}'");
        Assert.Equal(("fake", 8), (config.GetProperty("model").GetString(), config.GetProperty("batch_size").GetInt32()));
        Assert.True(r.TryGetProperty(ResultsWriter.ProjectKey, out var own) && own.TryGetProperty("config", out _));
    }

    [SkippableFact]
    public void Limit_IsEffectiveSamples_OriginalIsTheWholeSplit()
    {
        using var output = new TempDir();
        var (r, _) = Run(output, limit: 3);
        var ns = r.GetProperty("n-samples").GetProperty("medmcqa");
        Assert.Equal((300, 3), (ns.GetProperty("original").GetInt32(), ns.GetProperty("effective").GetInt32()));
        Assert.Equal(3, r.GetProperty("config").GetProperty("limit").GetInt32());
        // Three documents: stderr is defined; one document would give "N/A" (evaluator_utils: len(items) > 1).
        Assert.Equal(JsonValueKind.Number, r.GetProperty("results").GetProperty("medmcqa").GetProperty("acc_stderr,none").ValueKind);
    }

    [SkippableFact]
    public void Samples_AreTheHarnessRecords()
    {
        using var output = new TempDir();
        var (r, dir) = Run(output, limit: 4);
        string[] tasks = ["medqa_4options", "medmcqa", "pubmedqa", .. Mmlu];
        foreach (var task in tasks)
        {
            var lines = File.ReadAllLines(Path.Combine(dir, $"samples_{task}.jsonl"));
            Assert.Equal(4, lines.Length);
            double accSum = 0;
            for (var i = 0; i < lines.Length; i++)
            {
                var s = JsonNode.Parse(lines[i])!.AsObject();
                Assert.Equal(SampleKeys.Concat(MetricsOf(task)), s.Select(p => p.Key));
                Assert.Equal(i, s["doc_id"]!.GetValue<int>()); // zero-based index in the split
                var doc = s["doc"]!.AsObject();
                var choices = doc["choices"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
                var gold = doc["gold"]!.GetValue<int>();
                var target = s["target"]!.GetValue<string>();
                // doc_to_target: pubmedqa's final_decision is a label; the others are answer indices.
                Assert.Equal(task == "pubmedqa" ? choices[gold] : gold.ToString(CultureInfo.InvariantCulture), target);

                var args = s["arguments"]!.AsObject();
                Assert.Equal(Enumerable.Range(0, choices.Length).Select(k => $"gen_args_{k}"), args.Select(p => p.Key));
                var context = args["gen_args_0"]!["arg_0"]!.GetValue<string>();
                Assert.All(args, a => Assert.Equal(context, a.Value!["arg_0"]!.GetValue<string>()));
                Assert.Equal(choices.Select(c => " " + c), args.Select(a => a.Value!["arg_1"]!.GetValue<string>()));

                // resps: requests × repeats × [str(loglik), str(is_greedy)]; filtered_resps: take_first.
                var resps = s["resps"]!.AsArray();
                var filtered = s["filtered_resps"]!.AsArray();
                Assert.Equal(choices.Length, resps.Count);
                Assert.Equal(resps.Select(x => x!.AsArray().Single()!.ToJsonString()), filtered.Select(x => x!.ToJsonString()));
                var lls = filtered.Select(x => double.Parse(x![0]!.GetValue<string>(), CultureInfo.InvariantCulture)).ToArray();
                Assert.All(filtered, x => Assert.Contains(x![1]!.GetValue<string>(), new[] { "True", "False" }));
                Assert.Equal("none", s["filter"]!.GetValue<string>());
                Assert.Equal(MetricsOf(task), s["metrics"]!.AsArray().Select(m => m!.GetValue<string>()));

                Assert.Equal(Sha256(context), s["prompt_hash"]!.GetValue<string>());
                Assert.Equal(Sha256(target), s["target_hash"]!.GetValue<string>());
                Assert.Equal(Sha256(PythonText.DumpsIndented(doc)), s["doc_hash"]!.GetValue<string>());

                // process_results: acc = argmax(lls) == gold; acc_norm = argmax(lls / len(choice)) == gold.
                var pred = Array.IndexOf(lls, lls.Max());
                Assert.Equal(pred == gold ? 1.0 : 0.0, s["acc"]!.GetValue<double>());
                if (MetricsOf(task).Contains("acc_norm"))
                {
                    var norm = lls.Select((l, k) => l / choices[k].EnumerateRunes().Count()).ToArray();
                    Assert.Equal(Array.IndexOf(norm, norm.Max()) == gold ? 1.0 : 0.0, s["acc_norm"]!.GetValue<double>());
                }
                accSum += s["acc"]!.GetValue<double>();
            }
            Assert.Equal(accSum / lines.Length, r.GetProperty("results").GetProperty(task).GetProperty("acc,none").GetDouble(), 1e-12);
        }
    }

    private static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));
}
