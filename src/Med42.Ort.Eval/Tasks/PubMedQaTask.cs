// pubmedqa (harness lm_eval/tasks/pubmedqa, pqa_labeled): the original ori_pqal.json
// {pmid: {QUESTION, CONTEXTS[], final_decision, …}} restricted to the ids of test_ground_truth.json
// {pmid: "yes"|"no"|"maybe"} (gold from the ground truth, in its order), or a single file whose items
// carry final_decision (all items used, e.g. ../shared/data/pubmedqa/pqal_dev500.json).
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Eval.Data;
using Med42.Ort.Eval.Documents;

namespace Med42.Ort.Eval.Tasks;

public sealed class PubMedQaTask : IEvalTask
{
    public const string TaskName = "pubmedqa";
    public static readonly string[] Labels = ["yes", "no", "maybe"];
    private readonly string? _groundTruthPath;

    /// <param name="dataPath">ori_pqal.json, or a single file whose items carry final_decision.</param>
    /// <param name="groundTruthPath">test_ground_truth.json; null to use every item of <paramref name="dataPath"/>.</param>
    public PubMedQaTask(string dataPath, string? groundTruthPath = null)
    {
        DataPath = dataPath;
        _groundTruthPath = groundTruthPath;
    }

    public string Name => TaskName;
    public string Version => "1.0";
    public int NumFewshot => 0;
    public string DataPath { get; }
    public IReadOnlyList<string> Notes =>
        [_groundTruthPath is null ? "pubmedqa: every item of the data file, gold = final_decision" : "pubmedqa: items of test_ground_truth.json, gold from it"];

    public IReadOnlyList<MultipleChoiceDoc> LoadDocs(BadDataLog log)
    {
        TaskFiles.RequireExists(Name, DataPath);
        var bytes = InputFile.ReadAllBytes(DataPath, $"task '{Name}': data file");
        using var doc = ParseObject(bytes, DataPath);
        var lines = JsonObjectLines.TopLevelKeyLines(bytes);
        var root = doc.RootElement;

        List<(string Id, string? Label, int GtLine)> items;
        if (_groundTruthPath is null)
            items = root.EnumerateObject().Select(p => (p.Name, (string?)null, 0)).ToList();
        else
        {
            TaskFiles.RequireExists(Name, _groundTruthPath);
            var gtBytes = InputFile.ReadAllBytes(_groundTruthPath, $"task '{Name}': ground truth");
            using var gt = ParseObject(gtBytes, _groundTruthPath);
            var gtLines = JsonObjectLines.TopLevelKeyLines(gtBytes);
            items = gt.RootElement.EnumerateObject()
                .Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText(), gtLines.GetValueOrDefault(p.Name)))
                .ToList();
        }

        var docs = new List<MultipleChoiceDoc>(items.Count);
        foreach (var (id, gtLabel, gtLine) in items)
        {
            try { docs.Add(Parse(root, lines, id, gtLabel, gtLine)); }
            catch (Med42Exception e) { log.Report(e); }
        }
        return docs;
    }

    public string BuildContext(MultipleChoiceDoc doc) => doc.Prompt;

    private MultipleChoiceDoc Parse(JsonElement root, Dictionary<string, int> lines, string id, string? gtLabel, int gtLine)
    {
        if (!root.TryGetProperty(id, out var item))
            throw Med42Exception.At(_groundTruthPath!, $"line {gtLine}", $"pmid {id} of the ground truth is not in {DataPath}");
        var r = new JsonRecord(DataPath, lines.GetValueOrDefault(id), item);
        if (item.ValueKind != JsonValueKind.Object) throw r.Error($"pmid {id}: expected an object");
        var question = r.String("QUESTION");
        var contextsEl = r.Get("CONTEXTS");
        if (contextsEl.ValueKind != JsonValueKind.Array || contextsEl.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
            throw r.Error($"pmid {id}: field 'CONTEXTS' must be a list of strings");
        var contexts = contextsEl.EnumerateArray().Select(c => c.GetString()!).ToArray();
        var label = gtLabel ?? r.String("final_decision");
        var gold = Array.IndexOf(Labels, label);
        if (gold < 0)
            throw gtLabel is null
                ? r.Error($"pmid {id}: answer '{label}' out of range (yes, no, maybe)")
                : Med42Exception.At(_groundTruthPath!, $"line {gtLine}", $"pmid {id}: answer '{label}' out of range (yes, no, maybe)");
        if (DocValidator.Check(r.File, r.Line, question, Labels, gold) is { } error) throw error;
        var raw = new Dictionary<string, string> { ["final_decision"] = r.OptionalString("final_decision") ?? label };
        if (r.OptionalString("YEAR") is { } year) raw["YEAR"] = year;
        return new MultipleChoiceDoc(id, PromptTemplates.PubMedQa(contexts, question), Labels, gold, $"{r.File}:{r.Line}", raw);
    }

    // One JSON document: the text-input policy holds for the whole file (no record can be skipped before it is delimited).
    private static JsonDocument ParseObject(byte[] bytes, string path)
    {
        TextInput.Require(bytes, path, jsonEscapes: true);
        try
        {
            var doc = JsonDocument.Parse(bytes, Core.Checkpoints.JsonFile.Options);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.EnumerateObject().Any()) return doc;
            var empty = doc.RootElement.ValueKind == JsonValueKind.Object;
            doc.Dispose();
            throw Med42Exception.At(path, "line 1", empty ? "no records: the object is empty" : "expected a JSON object keyed by PMID");
        }
        catch (JsonException e)
        {
            throw Med42Exception.At(path, $"line {(e.LineNumber ?? 0) + 1}", $"invalid JSON: {e.Message}");
        }
    }
}
