// A user-supplied multiple-choice set (e.g. USMLE sample exams): JSONL {question, choices[], answer}
// with answer a 0-based index or a letter, optional id. Rendered with the medqa template
// ("Question: …\nA. …\nAnswer:") for any number of options (2..26); choices are the letters.
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Data;
using Med42.Ort.Eval.Documents;

namespace Med42.Ort.Eval.Tasks;

public sealed class GenericJsonlTask(string name, string dataPath) : IEvalTask
{
    public string Name { get; } = name;
    public string Version => "1.0";
    public int NumFewshot => 0;
    public string DataPath { get; } = dataPath;
    public IReadOnlyList<string> Notes => [$"{Name}: generic JSONL multiple choice, medqa-style prompt"];

    public IReadOnlyList<MultipleChoiceDoc> LoadDocs(BadDataLog log)
    {
        TaskFiles.RequireExists(Name, DataPath);
        return JsonLines.ReadRecords(DataPath, log, Parse);
    }

    public string BuildContext(MultipleChoiceDoc doc) => doc.Prompt;

    private static MultipleChoiceDoc Parse(JsonRecord r)
    {
        var question = r.String("question");
        var choicesEl = r.Get("choices");
        if (choicesEl.ValueKind != JsonValueKind.Array || choicesEl.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
            throw r.Error("field 'choices' must be a list of strings");
        var options = choicesEl.EnumerateArray().Select(c => c.GetString()!).ToArray();
        if (options.Length > PromptTemplates.Letters.Length) throw r.Error($"{options.Length} choices; at most 26 are supported");
        var answer = r.Get("answer");
        int gold;
        if (answer.ValueKind == JsonValueKind.Number)
            gold = answer.TryGetInt32(out var i) ? i : throw r.Error($"answer index {answer} out of range [0, {options.Length - 1}]");
        else if (answer.ValueKind == JsonValueKind.String)
        {
            var letter = answer.GetString()!.Trim();
            gold = Array.IndexOf(PromptTemplates.Letters, letter.ToUpperInvariant());
            if (gold < 0) throw r.Error($"answer '{letter}' is neither an index nor a letter");
        }
        else throw r.Error("field 'answer' must be an index or a letter");
        if (DocValidator.Check(r.File, r.Line, question, options, gold) is { } error) throw error;
        var id = r.RawText("id") ?? r.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new MultipleChoiceDoc(id, PromptTemplates.MedQa(question, options), PromptTemplates.Letters[..options.Length], gold,
            $"{r.File}:{r.Line}", new Dictionary<string, string>());
    }
}
