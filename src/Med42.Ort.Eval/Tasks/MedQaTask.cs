// medqa_4options (harness lm_eval/tasks/medqa): reads the original MedQA JSONL
// {question, options{A..D}, answer_idx} or the HF GBaker/MedQA-USMLE-4-options-hf form
// {sent1, ending0..3, label}, detected per line. The 5-option original file (options A..E) is
// rejected: the task is defined on the 4-option release (US/4_options/phrases_no_exclude_*.jsonl).
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Data;
using Med42.Ort.Eval.Documents;

namespace Med42.Ort.Eval.Tasks;

public sealed class MedQaTask(string dataPath) : IEvalTask
{
    public const string TaskName = "medqa_4options";
    public string Name => TaskName;
    public string Version => "1.0";
    public int NumFewshot => 0;
    public string DataPath { get; } = dataPath;
    public IReadOnlyList<string> Notes => [];

    public IReadOnlyList<MultipleChoiceDoc> LoadDocs(BadDataLog log)
    {
        TaskFiles.RequireExists(Name, DataPath);
        return JsonLines.ReadRecords(DataPath, log, Parse);
    }

    public string BuildContext(MultipleChoiceDoc doc) => doc.Prompt;

    private static MultipleChoiceDoc Parse(JsonRecord r)
    {
        string question;
        string[] options;
        int gold;
        var raw = new Dictionary<string, string>();
        if (r.Has("sent1"))
        {
            question = r.String("sent1");
            options = [r.String("ending0"), r.String("ending1"), r.String("ending2"), r.String("ending3")];
            gold = r.Int("label");
        }
        else
        {
            question = r.String("question");
            var opts = r.Get("options");
            if (opts.ValueKind != JsonValueKind.Object) throw r.Error("field 'options' must be an object {A: …, B: …}");
            var keys = opts.EnumerateObject().Select(p => p.Name).ToList();
            if (keys.Count > 4)
                throw r.Error($"{keys.Count} options ({string.Join(",", keys)}); medqa_4options needs the 4-option file (US/4_options/phrases_no_exclude_*.jsonl), not the 5-option original");
            if (keys.Count < 2) throw r.Error($"fewer than 2 choices ({keys.Count})");
            options = new string[4];
            for (var i = 0; i < 4; i++)
            {
                var letter = PromptTemplates.Letters[i];
                options[i] = opts.TryGetProperty(letter, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()!
                    : throw r.Error($"missing field 'options.{letter}'");
            }
            var answer = r.String("answer_idx");
            gold = Array.IndexOf(PromptTemplates.Letters, answer.Trim());
            if (gold < 0 || gold >= 4) throw r.Error($"answer index '{answer}' out of range [A, D]");
            if (r.OptionalString("meta_info") is { } meta) raw["meta_info"] = meta;
            if (r.OptionalString("answer") is { } text) raw["answer"] = text;
        }
        if (DocValidator.Check(r.File, r.Line, question, options, gold) is { } error) throw error;
        var id = r.RawText("id") ?? r.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new MultipleChoiceDoc(id, PromptTemplates.MedQa(question, options), ["A", "B", "C", "D"], gold, $"{r.File}:{r.Line}", raw);
    }
}
