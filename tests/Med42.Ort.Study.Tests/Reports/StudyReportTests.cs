// The study report: report.html is self-contained (no http(s)
// references, every chart embedded as a decodable PNG), well-formed, and carries the results table,
// the finding and the separately labelled Med42-70B reference table. Built from hand-made run
// results, so the expected numbers below are independent of any training.
using System.Xml.Linq;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Study.Pipeline;
using Med42.Ort.Study.Reports;

namespace Med42.Ort.Study.Tests.Reports;

public sealed class StudyReportTests
{
    private static TrainStats Stats(long trainable, double wall, double tps) => new()
    {
        TrainableParameters = trainable, TotalParameters = 1000, PeakRssDeltaBytes = 50L << 20, StateBytes = trainable * 16,
        TokensPerSecond = tps, Tokens = 10000, WallSeconds = wall, Steps = 3, FinalLoss = 1.5, ValLoss = 1.7, LossHistory = [3.0, 2.0, 1.5],
    };

    private static RunResult Run(string name, RunKind kind, double heldIn, double never, TrainStats? train) => new()
    {
        Name = name, Kind = kind, TotalParameters = 1000, Train = train,
        Scores =
        [
            new TaskScore(StudyPipeline.HeldInTask, 200, heldIn, 0.03, "acc_norm", 0.25),
            new TaskScore(StudyPipeline.NeverTask, 100, never, 0.04, "acc_norm", 0.25),
        ],
    };

    private static StudyReport Report() => StudyReport.Build(StudyDefaults.Embedded(quick: true),
        [Run("base", RunKind.Base, 0.25, 0.26, null), Run("full", RunKind.Full, 0.80, 0.24, Stats(1000, 20, 1000)), Run("lora-r4", RunKind.Lora, 0.60, 0.27, Stats(100, 10, 2000))],
        null, []);

    [Fact]
    public void HtmlIsSelfContainedWellFormedAndHasEveryChart()
    {
        using var tmp = new TempDir();
        Report().Write(tmp.Path, [new StageEvent("data", "ran", 0.5)]);
        var html = File.ReadAllText(tmp.File(StudyReport.HtmlFile));
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"/", html);
        // Well-formed: parses as XML once the HTML5 doctype is removed.
        var doc = XDocument.Parse(html.Replace("<!DOCTYPE html>", ""));
        var images = doc.Descendants("img").ToList();
        Assert.Equal(StudyReport.ChartFiles.Length, images.Count);
        foreach (var chart in StudyReport.ChartFiles)
        {
            var img = images.Single(i => (string?)i.Attribute("alt") == chart);
            var src = (string)img.Attribute("src")!;
            Assert.StartsWith("data:image/png;base64,", src);
            var png = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]); // PNG signature
            Assert.True(png.Length > 5000, $"{chart}: {png.Length} bytes is too small for a rendered chart");
        }
        Assert.NotNull(doc.Descendants("table").SingleOrDefault(t => (string?)t.Attribute("id") == "results"));
        var reference = doc.Descendants("table").Single(t => (string?)t.Attribute("id") == "reference");
        // The published MedQA number of Med42-70B (EVAL_PROTOCOL.md: "MedQA 61.5").
        Assert.Contains(reference.Descendants("tr"), tr => tr.Elements("td").Select(td => td.Value).SequenceEqual(["medqa_4options", "61.5"]));
        Assert.Contains("Published reference: Med42-70B (not this study)", html);
    }

    [Fact]
    public void TableAndFindingCarryTheNumbers()
    {
        var r = Report();
        Assert.Equal(["run", "trainable params", "peak memory", "train tok/s", "wall time", "train / val loss", StudyPipeline.HeldInTask, StudyPipeline.NeverTask, "avg (size-weighted)"], r.Header);
        var full = r.Rows[1];
        Assert.Equal("1,000 (100.0%)", full[1]);
        Assert.Equal("80.0 ± 3.0", full[6]);
        // (200·0.80 + 100·0.24) / 300 = 0.6133…
        Assert.Equal("61.3", full[^1]);
        Assert.Equal("100 (10.0%)", r.Rows[2][1]);
        // held-in: full 80 vs base 25 → +55.0, stderr sqrt(3² + 3²) = 4.24 points.
        Assert.Contains(r.Findings, f => f == "full vs base on held-in facts: +55.0 ± 4.2 points.");
        Assert.Contains(r.Findings, f => f.StartsWith("full − lora-r4 on study_heldin: +20.0 ± 4.2 points", StringComparison.Ordinal));
        Assert.Contains(r.Findings, f => f.StartsWith("cost full / lora-r4: trainable parameters ×10", StringComparison.Ordinal) && f.Contains("wall time ×2.00"));
        Assert.Contains(r.Findings, f => f.StartsWith("study_heldin: full wins with 80.0 ± 3.0% by 20.0 points over lora-r4", StringComparison.Ordinal));
        // never-trained: 24 vs chance 25 with stderr 4 → within ± 8.
        Assert.Contains(r.Findings, f => f.StartsWith("full on never-trained facts: 24.0% vs chance 25% (within", StringComparison.Ordinal));
    }
    [Fact]
    public void ProtocolNamesEveryStyleAsRecipesSpellIt()
    {
        var config = StudyDefaults.Embedded(quick: true) with { Eval = new EvalConfig { McqStyles = [McqStyle.ChatLetter, McqStyle.Chat, McqStyle.TextMutualInfo, McqStyle.Text, McqStyle.Letter] } };
        var protocol = StudyReport.Build(config, [], null, []).Protocol;
        Assert.Equal("Study sets (study_*, 4 options, chance 25%): zero-shot; presentation " +
                     "chat_letter = medqa prompt in the Med42 template, letter as the reply (acc), " +
                     "chat = question in the Med42 template, option text as the reply (acc_norm), " +
                     "text_mi = as text, scored ll(option | question) − ll(option | \"Answer:\") (acc_mutual_info), " +
                     "text = \"Question: {question}\\nAnswer:\" then each option's text (acc_norm), " +
                     "letter = harness medqa_4options prompt, letters scored (acc); the first listed names study_*, the others study_*@style. ", protocol);
    }

    [Fact]
    public void RunResultStoresTheKindAsRecipesSpellIt()
    {
        using var tmp = new TempDir();
        var run = Run("lora-r4", RunKind.Lora, 0.6, 0.27, Stats(100, 10, 2000));
        run.Save(tmp.File("run.json"));
        Assert.Contains("\"kind\": \"lora\"", File.ReadAllText(tmp.File("run.json")));
        Assert.Equal(RunKind.Lora, RunResult.Load(tmp.File("run.json")).Kind);
    }
}
