// medmcqa (harness lm_eval/tasks/medmcqa): JSONL {question, opa, opb, opc, opd, cop}. The original
// release numbers cop 1..4; the HF copy (openlifescienceai/medmcqa) numbers it 0..3. Auto detection:
// any cop == 0 ⇒ 0-based, any cop == 4 ⇒ 1-based, both ⇒ error, neither ⇒ the original 1-based
// convention, stated in Notes so results.json records the choice.
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Data;
using Med42.Ort.Eval.Documents;

namespace Med42.Ort.Eval.Tasks;

public enum CopBase { Auto, OneBased, ZeroBased }

public sealed class MedMcqaTask(string dataPath, CopBase copBase = CopBase.Auto) : IEvalTask
{
    public const string TaskName = "medmcqa";
    private readonly List<string> _notes = [];
    private readonly CopBase _requested = copBase;

    public string Name => TaskName;
    public string Version => "1.0";
    public int NumFewshot => 0;
    public string DataPath { get; } = dataPath;
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>The cop base actually used by the last LoadDocs (never Auto after loading).</summary>
    public CopBase UsedCopBase { get; private set; } = CopBase.Auto;

    public IReadOnlyList<MultipleChoiceDoc> LoadDocs(BadDataLog log)
    {
        TaskFiles.RequireExists(Name, DataPath);
        // Pass 1: fields and cop values; the base is decided over the whole file before validating ranges.
        var parsed = JsonLines.ReadRecords(DataPath, log,
            r => (R: r, Q: r.String("question"), Opts: new[] { r.String("opa"), r.String("opb"), r.String("opc"), r.String("opd") }, Cop: r.Int("cop")));

        _notes.Clear();
        UsedCopBase = _requested;
        if (_requested == CopBase.Auto)
        {
            var zero = parsed.FirstOrDefault(p => p.Cop == 0);
            var four = parsed.FirstOrDefault(p => p.Cop == 4);
            if (zero.Opts is not null && four.Opts is not null)
                throw Med42Exception.At(DataPath, $"line {four.R.Line}", $"cop 4 here but cop 0 at line {zero.R.Line}: cannot tell 0-based from 1-based; pass the cop base explicitly");
            UsedCopBase = zero.Opts is not null ? CopBase.ZeroBased : CopBase.OneBased;
            _notes.Add(zero.Opts is not null ? "medmcqa cop detected 0-based (HF copy): a cop of 0 is present"
                : four.Opts is not null ? "medmcqa cop detected 1-based (original release): a cop of 4 is present"
                : "medmcqa cop ambiguous (no 0 or 4): assumed 1-based as in the original release");
        }
        else _notes.Add($"medmcqa cop base set explicitly: {(_requested == CopBase.OneBased ? "1-based" : "0-based")}");

        var offset = UsedCopBase == CopBase.OneBased ? 1 : 0;
        var docs = new List<MultipleChoiceDoc>(parsed.Count);
        foreach (var (r, q, opts, cop) in parsed)
        {
            var gold = cop - offset;
            if (DocValidator.Check(r.File, r.Line, q, opts, gold) is { } error) { log.Report(error); continue; }
            var raw = new Dictionary<string, string> { ["cop"] = cop.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            foreach (var key in new[] { "subject_name", "topic_name", "choice_type" })
                if (r.OptionalString(key) is { } v) raw[key] = v;
            var id = r.OptionalString("id") ?? r.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
            docs.Add(new MultipleChoiceDoc(id, PromptTemplates.MedMcqa(q, opts), ["A", "B", "C", "D"], gold, $"{r.File}:{r.Line}", raw));
        }
        return docs;
    }

    public string BuildContext(MultipleChoiceDoc doc) => doc.Prompt;
}
