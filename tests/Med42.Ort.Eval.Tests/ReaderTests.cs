// The readers load every benchmark file in ../shared/data with the record counts and label
// distributions stated in its MANIFEST.md (an independent count made when the data was collected).
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests;

public class ReaderTests
{
    [SkippableFact]
    public void MedQa_FourOptionDev_1272Records()
    {
        var docs = new MedQaTask(SharedData.Path("medqa/phrases_no_exclude_dev.jsonl")).LoadDocs(new BadDataLog(false));
        Assert.Equal(1272, docs.Count);
        Assert.All(docs, d => Assert.InRange(d.Gold, 0, 3));
    }

    [SkippableFact]
    public void MedQa_FiveOptionFile_IsRejectedAtLine1()
    {
        var path = SharedData.Path("medqa/dev.jsonl");
        var e = Assert.Throws<Med42Exception>(() => new MedQaTask(path).LoadDocs(new BadDataLog(false)));
        Assert.StartsWith($"{path}: line 1: 5 options", e.Message);
        Assert.Contains("4-option", e.Message);
    }

    [SkippableFact]
    public void MedMcqa_Sample300_DetectsOneBasedCop()
    {
        var task = new MedMcqaTask(SharedData.Path("medmcqa/dev_sample300.json"));
        var docs = task.LoadDocs(new BadDataLog(false));
        Assert.Equal(300, docs.Count);
        Assert.Equal(CopBase.OneBased, task.UsedCopBase);
        Assert.Contains(task.Notes, n => n.Contains("1-based", StringComparison.Ordinal));
        // Every gold is cop - 1: check against the raw cop echoed in Raw.
        Assert.All(docs, d => Assert.Equal(int.Parse(d.Raw["cop"], System.Globalization.CultureInfo.InvariantCulture) - 1, d.Gold));
    }

    [SkippableFact]
    public void PubMedQa_Dev500_LabelCounts()
    {
        var docs = new PubMedQaTask(SharedData.Path("pubmedqa/pqal_dev500.json")).LoadDocs(new BadDataLog(false));
        Assert.Equal(500, docs.Count);
        Assert.Equal(276, docs.Count(d => d.Gold == 0));
        Assert.Equal(169, docs.Count(d => d.Gold == 1));
        Assert.Equal(55, docs.Count(d => d.Gold == 2));
        Assert.Equal("10808977", docs[0].Id); // original key order
        Assert.EndsWith(":2", docs[0].Source);  // the key is on line 2 of the indent=4 file
    }

    [SkippableTheory]
    [InlineData("anatomy", "DDCCB")]
    [InlineData("clinical_knowledge", "ABBCC")]
    [InlineData("college_biology", "BDCBB")]
    [InlineData("college_medicine", "ADCAB")]
    [InlineData("medical_genetics", "CAADA")]
    [InlineData("professional_medicine", "DDDDC")]
    public void Mmlu_DevFiles_FiveRows(string subject, string answers)
    {
        var docs = new MmluTask(subject, SharedData.Path($"mmlu/dev/{subject}_dev.csv")).LoadDocs(new BadDataLog(false));
        Assert.Equal(5, docs.Count);
        Assert.Equal(answers, string.Concat(docs.Select(d => "ABCD"[d.Gold])));
    }

    [Fact]
    public void PubMedQa_GroundTruthSelectsAndLabels()
    {
        using var dir = new TempDir();
        var ori = dir.File("ori_pqal.json");
        var gt = dir.File("test_ground_truth.json");
        File.WriteAllText(ori, """
            {
                "1": {"QUESTION": "q1?", "CONTEXTS": ["c1"], "final_decision": "yes"},
                "2": {"QUESTION": "q2?", "CONTEXTS": ["c2a", "c2b"], "final_decision": "no"},
                "3": {"QUESTION": "q3?", "CONTEXTS": [], "final_decision": "maybe"}
            }
            """);
        File.WriteAllText(gt, """{"3": "maybe", "2": "no"}""");
        var docs = new PubMedQaTask(ori, gt).LoadDocs(new BadDataLog(false));
        Assert.Equal(["3", "2"], docs.Select(d => d.Id));
        Assert.Equal([2, 1], docs.Select(d => d.Gold));
        Assert.Equal("Abstract: c2a\nc2b\nQuestion: q2?\nAnswer:", docs[1].Prompt);
        Assert.EndsWith(":3", docs[1].Source); // key "2" is on line 3
    }

    [Fact]
    public void MedMcqa_ZeroBasedDetectedAndExplicitOverride()
    {
        using var dir = new TempDir();
        var path = dir.File("hf.json");
        File.WriteAllText(path, """
            {"question": "q1", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": 0}
            {"question": "q2", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": 2}
            """);
        var auto = new MedMcqaTask(path);
        Assert.Equal([0, 2], auto.LoadDocs(new BadDataLog(false)).Select(d => d.Gold));
        Assert.Equal(CopBase.ZeroBased, auto.UsedCopBase);

        // Neither 0 nor 4 present: ambiguous, the original 1-based convention is assumed and said.
        var ambiguous = dir.File("amb.json");
        File.WriteAllText(ambiguous, """{"question": "q", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": 2}""");
        var amb = new MedMcqaTask(ambiguous);
        Assert.Equal([1], amb.LoadDocs(new BadDataLog(false)).Select(d => d.Gold));
        Assert.Contains(amb.Notes, n => n.Contains("ambiguous", StringComparison.Ordinal));

        var forced = new MedMcqaTask(ambiguous, CopBase.ZeroBased);
        Assert.Equal([2], forced.LoadDocs(new BadDataLog(false)).Select(d => d.Gold));
    }
}
