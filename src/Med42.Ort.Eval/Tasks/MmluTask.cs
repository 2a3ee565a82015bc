// mmlu_{subject} (harness lm_eval/tasks/mmlu/default): headerless CSV rows (question, A, B, C, D,
// answer letter) from the original hendrycks/test release. Context = description once, then the
// first k dev rows (sampler first_n) each as prompt + " " + gold choice joined by "\n\n", then the prompt.
// Style Text scores the answer texts instead of the letters (the v0.3-era behaviour; same prompt).
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Data;
using Med42.Ort.Eval.Documents;

namespace Med42.Ort.Eval.Tasks;

public enum MmluStyle { Letter, Text }

public sealed class MmluTask : IEvalTask
{
    /// <summary>The six medical subjects, in the harness's naming.</summary>
    public static readonly string[] MedicalSubjects =
        ["anatomy", "clinical_knowledge", "college_biology", "college_medicine", "medical_genetics", "professional_medicine"];

    private readonly string? _devPath;
    private readonly MmluStyle _style;
    private IReadOnlyList<MultipleChoiceDoc>? _shots;

    public MmluTask(string subject, string testPath, string? devPath = null, int numFewshot = 0, MmluStyle style = MmluStyle.Letter)
    {
        if (numFewshot < 0) throw new ArgumentOutOfRangeException(nameof(numFewshot));
        Subject = subject;
        DataPath = testPath;
        _devPath = devPath;
        NumFewshot = numFewshot;
        _style = style;
    }

    public string Subject { get; }
    public string Name => "mmlu_" + Subject;
    public string Version => "1.0";
    public int NumFewshot { get; }
    public string DataPath { get; }
    public IReadOnlyList<string> Notes => _style == MmluStyle.Text ? ["mmlu style text: choices scored by answer text (v0.3 style)"] : [];

    public IReadOnlyList<MultipleChoiceDoc> LoadDocs(BadDataLog log)
    {
        TaskFiles.RequireExists(Name, DataPath);
        if (NumFewshot > 0)
        {
            if (_devPath is null) throw new Med42Exception($"task '{Name}': {NumFewshot}-shot needs the dev split but no dev file was given");
            TaskFiles.RequireExists(Name, _devPath);
            // Few-shot rows are never skipped: a bad example would silently change every prompt.
            var dev = ReadRows(_devPath, new BadDataLog(skipBad: false));
            if (dev.Count < NumFewshot)
                throw Med42Exception.At(_devPath, $"line {dev.LastOrDefault()?.Source.Split(':')[^1] ?? "1"}", $"{NumFewshot}-shot needs {NumFewshot} dev rows, the file has {dev.Count}");
            _shots = dev.Take(NumFewshot).ToArray();
        }
        return ReadRows(DataPath, log);
    }

    public string BuildContext(MultipleChoiceDoc doc)
    {
        var description = PromptTemplates.MmluDescription(Subject);
        if (NumFewshot == 0) return description + doc.Prompt;
        var shots = _shots ?? throw new InvalidOperationException("LoadDocs must run before BuildContext");
        return description + string.Concat(shots.Select(s => s.Prompt + " " + s.Choices[s.Gold] + "\n\n")) + doc.Prompt;
    }

    private List<MultipleChoiceDoc> ReadRows(string path, BadDataLog log)
    {
        var docs = new List<MultipleChoiceDoc>();
        var row = 0;
        foreach (var record in CsvReader.ReadFile(path))
        {
            row++;
            if (record.Error is not null) { log.Report(record.Error); continue; }
            try { docs.Add(Parse(path, row, record)); }
            catch (Med42Exception e) { log.Report(e); }
        }
        return docs;
    }

    private MultipleChoiceDoc Parse(string path, int row, CsvRecord record)
    {
        var f = record.Fields;
        if (f.Count < 6)
            throw Med42Exception.At(path, $"line {record.Line}", $"missing field: expected 6 fields (question, A, B, C, D, answer), got {f.Count}");
        if (f.Count > 6) throw Med42Exception.At(path, $"line {record.Line}", $"expected 6 fields, got {f.Count}");
        string[] options = [f[1], f[2], f[3], f[4]];
        var gold = Array.IndexOf(PromptTemplates.Letters, f[5].Trim());
        if (gold < 0 || gold >= 4) throw Med42Exception.At(path, $"line {record.Line}", $"answer index '{f[5]}' out of range [A, D]");
        if (DocValidator.Check(path, record.Line, f[0], options, gold) is { } error) throw error;
        var choices = _style == MmluStyle.Letter ? new[] { "A", "B", "C", "D" } : options;
        var id = row.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new MultipleChoiceDoc(id, PromptTemplates.Mmlu(f[0], options), choices, gold, $"{path}:{record.Line}",
            new Dictionary<string, string> { ["subject"] = Subject, ["answer"] = f[5] });
    }
}
