// samples_{task}.jsonl as lm-evaluation-harness v0.4 writes it with --log_samples (evaluator.py builds
// the record, loggers/evaluation_tracker.py save_results_samples sanitises it): per document
//   doc_id (0-based int), doc, target (str), arguments {gen_args_i: {arg_0: context, arg_1: " " + choice}},
//   resps [[[str(loglik), str(is_greedy)]]] (requests × repeats), filtered_resps [[str, str]] (take_first),
//   filter "none", metrics [names], doc_hash = sha256(json.dumps(doc, indent=2, ensure_ascii=False)),
//   prompt_hash = sha256(context of the first request), target_hash = sha256(str(target)),
//   then one float per metric (acc, and acc_norm where the task defines it).
// doc is this project's document: {id, query (doc_to_text), choices, gold, the dataset's extra fields}.
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Med42.Ort.Eval.Tasks;

namespace Med42.Ort.Eval.Reports;

public static class HarnessSamples
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The doc object of a sample (its JSON text is what doc_hash hashes).</summary>
    public static JsonObject Doc(DocScore s)
    {
        var doc = new JsonObject
        {
            ["id"] = s.Doc.Id,
            ["query"] = s.Doc.Prompt,
            ["choices"] = new JsonArray(s.Doc.Choices.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["gold"] = s.Doc.Gold,
        };
        foreach (var (k, v) in s.Doc.Raw) doc[k] = v;
        return doc;
    }

    /// <summary>doc_to_target: the answer text for tasks whose target is a label (pubmedqa), else the gold index.</summary>
    public static string Target(TaskResult task, DocScore s) =>
        task.Spec.TargetIsChoiceText ? s.Doc.Choices[s.Doc.Gold] : s.Doc.Gold.ToString(CultureInfo.InvariantCulture);

    /// <summary>One JSON object per line, in the harness's key order.</summary>
    public static void Write(TaskResult task, Stream stream)
    {
        var newline = "\n"u8.ToArray();
        var metrics = task.Spec.Metrics.Select(m => m.Name).ToArray();
        for (var i = 0; i < task.Samples.Count; i++)
        {
            var s = task.Samples[i];
            var doc = Doc(s);
            var target = Target(task, s);
            using (var w = new Utf8JsonWriter(stream, Compact))
            {
                w.WriteStartObject();
                w.WriteNumber("doc_id", i);
                w.WritePropertyName("doc");
                doc.WriteTo(w);
                w.WriteString("target", target);
                w.WriteStartObject("arguments");
                for (var c = 0; c < s.Doc.Choices.Count; c++)
                {
                    w.WriteStartObject($"gen_args_{c}");
                    w.WriteString("arg_0", s.Context);
                    w.WriteString("arg_1", HarnessTaskSpec.TargetDelimiter + s.Doc.Choices[c]);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteStartArray("resps");
                foreach (var r in s.Results)
                {
                    w.WriteStartArray();
                    Response(w, r.LogLikelihood, r.IsGreedy);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteStartArray("filtered_resps");
                foreach (var r in s.Results) Response(w, r.LogLikelihood, r.IsGreedy);
                w.WriteEndArray();
                w.WriteString("filter", HarnessTaskSpec.Filter);
                w.WriteStartArray("metrics");
                foreach (var m in metrics) w.WriteStringValue(m);
                w.WriteEndArray();
                w.WriteString("doc_hash", PythonText.HashString(PythonText.DumpsIndented(doc)));
                w.WriteString("prompt_hash", PythonText.HashString(s.Context));
                w.WriteString("target_hash", PythonText.HashString(target));
                foreach (var m in metrics)
                {
                    w.WritePropertyName(m);
                    w.WriteRawValue((m == "acc_norm" ? s.AccNorm : s.Acc) ? "1.0" : "0.0"); // Python floats, as process_results returns them
                }
                w.WriteEndObject();
            }
            stream.Write(newline);
        }
    }

    private static void Response(Utf8JsonWriter w, double logLikelihood, bool isGreedy)
    {
        w.WriteStartArray();
        w.WriteStringValue(PythonText.Repr(logLikelihood));
        w.WriteStringValue(PythonText.Str(isGreedy));
        w.WriteEndArray();
    }
}
