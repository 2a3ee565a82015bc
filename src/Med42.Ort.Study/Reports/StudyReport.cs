// The study report: one table (run | trainable parameters | peak memory | train tokens/s | wall time |
// final train/val loss | accuracy per task ± stderr | size-weighted average), charts (loss curves,
// accuracy per task, memory and throughput), the published Med42-70B reference numbers in a separate
// table with their protocol, and an auto-written finding. Written as report.md and a self-contained
// report.html (charts embedded as base64 PNG; no external references; XHTML-well-formed so tests parse it as XML).
using System.Globalization;
using System.Net;
using System.Text;
using Med42.Ort.Core.IO;
using Med42.Ort.Reports;
using Med42.Ort.Study.Pipeline;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Study.Reports;

public sealed class StudyReport
{
    public const string MarkdownFile = "report.md", HtmlFile = "report.html";
    public static readonly string[] ChartFiles = ["loss.png", "accuracy.png", "memory.png", "throughput.png"];
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private StudyReport(StudyConfig config, IReadOnlyList<RunResult> runs, TrainStats? pretrain, IReadOnlyList<string> notes)
    {
        Config = config;
        Runs = runs;
        Pretrain = pretrain;
        Notes = notes;
        Tasks = runs.SelectMany(r => r.Scores.Select(s => s.Task)).Distinct().ToList();
        Findings = BuildFindings();
    }

    public StudyConfig Config { get; }
    public IReadOnlyList<RunResult> Runs { get; }
    public TrainStats? Pretrain { get; }
    public IReadOnlyList<string> Notes { get; }
    public IReadOnlyList<string> Tasks { get; }
    public IReadOnlyList<string> Findings { get; }

    public static StudyReport Build(StudyConfig config, IReadOnlyList<RunResult> runs, TrainStats? pretrain, IReadOnlyList<string> notes) =>
        new(config, runs, pretrain, notes);

    public TaskScore? Score(RunResult run, string task) => run.Scores.FirstOrDefault(s => s.Task == task);

    /// <summary>Σ n·acc / Σ n over the run's tasks.</summary>
    public static double WeightedAverage(RunResult run)
    {
        var n = run.Scores.Sum(s => s.N);
        return n == 0 ? double.NaN : run.Scores.Sum(s => s.N * s.Acc) / n;
    }

    public IReadOnlyList<string> Header =>
        ["run", "trainable params", "peak memory", "train tok/s", "wall time", "train / val loss", .. Tasks, "avg (size-weighted)"];

    public IReadOnlyList<IReadOnlyList<string>> Rows => Runs.Select(r => (IReadOnlyList<string>)
    [
        r.Name,
        r.Train is { } t ? $"{t.TrainableParameters:N0} ({100.0 * t.TrainableParameters / r.TotalParameters:F1}%)" : "0 (0%)",
        r.Train is { } m ? Memory(m) : "–",
        r.Train is { } p ? p.TokensPerSecond.ToString("F0", Inv) : "–",
        r.Train is { } w ? $"{w.WallSeconds:F1} s" : "–",
        r.Train is { } l ? $"{l.FinalLoss:F3} / {(l.ValLoss is double v ? v.ToString("F3", Inv) : "–")}" : "–",
        .. Tasks.Select(task => Score(r, task) is { } s ? Pct(s) : "–"),
        (100 * WeightedAverage(r)).ToString("F1", Inv),
    ]).ToList();

    private static string Memory(TrainStats t) =>
        t.PeakRssDeltaBytes is long b ? $"{b / 1048576.0:F0} MiB (state {t.StateBytes / 1048576.0:F2} MiB)" : $"state {t.StateBytes / 1048576.0:F2} MiB";

    private static string Pct(TaskScore s) => s.Stderr is double e ? $"{100 * s.Acc:F1} ± {100 * e:F1}" : $"{100 * s.Acc:F1}";

    private List<string> BuildFindings()
    {
        var f = new List<string>();
        foreach (var task in Tasks)
        {
            var ranked = Runs.Where(r => Score(r, task) is not null).OrderByDescending(r => Score(r, task)!.Acc).ToList();
            if (ranked.Count == 0) continue;
            var best = Score(ranked[0], task)!;
            var margin = ranked.Count > 1 ? $" by {100 * (best.Acc - Score(ranked[1], task)!.Acc):F1} points over {ranked[1].Name}" : "";
            f.Add($"{task}: {ranked[0].Name} wins with {Pct(best)}%{margin} (chance {100 * best.Chance:F0}%).");
        }
        var baseRun = Runs.FirstOrDefault(r => r.Kind == RunKind.Base);
        var full = Runs.FirstOrDefault(r => r.Kind == RunKind.Full);
        var loras = Runs.Where(r => r.Kind == RunKind.Lora).ToList();
        if (baseRun is not null && Score(baseRun, StudyPipeline.HeldInTask) is { } b)
            foreach (var r in Runs.Where(r => r.Kind != RunKind.Base))
                if (Score(r, StudyPipeline.HeldInTask) is { } s)
                    f.Add($"{r.Name} vs base on held-in facts: {Diff(s, b)} points.");
        foreach (var r in Runs)
            if (Score(r, StudyPipeline.NeverTask) is { } n && n.Stderr is double se)
                f.Add($"{r.Name} on never-trained facts: {100 * n.Acc:F1}% vs chance {100 * n.Chance:F0}% ({(Math.Abs(n.Acc - n.Chance) <= 2 * se ? "within" : "OUTSIDE")} ± 2 stderr = ± {200 * se:F1}).");
        if (full is not null)
            foreach (var l in loras)
            {
                foreach (var task in Tasks)
                    if (Score(full, task) is { } a && Score(l, task) is { } c)
                        f.Add($"full − {l.Name} on {task}: {Diff(a, c)} points.");
                if (full.Train is { } ft && l.Train is { } lt)
                    f.Add($"cost full / {l.Name}: trainable parameters ×{Ratio(ft.TrainableParameters, lt.TrainableParameters)}, " +
                          $"optimizer state ×{Ratio(ft.StateBytes, lt.StateBytes)}, " +
                          (ft.PeakRssDeltaBytes is long fm && lt.PeakRssDeltaBytes is long lm ? $"peak RSS growth ×{Ratio(fm, lm)}, " : "") +
                          $"wall time ×{ft.WallSeconds / Math.Max(1e-9, lt.WallSeconds):F2}, tokens/s ×{ft.TokensPerSecond / Math.Max(1e-9, lt.TokensPerSecond):F2}.");
            }
        return f;
    }

    /// <summary>"+a ± b": difference in points with the stderr of a difference of independent means, sqrt(se₁² + se₂²).</summary>
    public static string Diff(TaskScore a, TaskScore b)
    {
        var d = 100 * (a.Acc - b.Acc);
        var se = 100 * Math.Sqrt(Math.Pow(a.Stderr ?? 0, 2) + Math.Pow(b.Stderr ?? 0, 2));
        return $"{(d >= 0 ? "+" : "")}{d:F1} ± {se:F1}";
    }

    private static string Ratio(double a, double b) => b <= 0 ? "∞" : (a / b).ToString(a / b >= 10 ? "F0" : "F2", Inv);

    public string Protocol => "Study sets (study_*, 4 options, chance 25%): zero-shot; presentation " + string.Join(", ", Config.Eval.McqStyles.Select(s => s switch
    {
        McqStyle.Letter => "letter = harness medqa_4options prompt, letters scored (acc)",
        McqStyle.Text => "text = \"Question: {question}\\nAnswer:\" then each option's text (acc_norm)",
        McqStyle.TextMutualInfo => "text_mi = as text, scored ll(option | question) − ll(option | \"Answer:\") (acc_mutual_info)",
        McqStyle.Chat => "chat = question in the Med42 template, option text as the reply (acc_norm)",
        _ => "chat_letter = medqa prompt in the Med42 template, letter as the reply (acc)",
    })) + "; the first listed names study_*, the others study_*@style. ";

    public string Markdown(IReadOnlyList<StageEvent> stages)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Med42.Ort study: full-parameter vs LoRA fine-tuning").AppendLine();
        sb.AppendLine($"Base: `{Config.Base}`; seed {Config.Seed}; seq_len {Config.SeqLen}; device {RecipeEnumConverter.Name(Config.Device)}, {Config.Threads} threads. " +
                      "Study data is teaching data generated from a curated fact base, not medical advice.").AppendLine();
        sb.AppendLine("## Results (this study)").AppendLine();
        Table(sb, Header, Rows);
        sb.AppendLine().AppendLine("Accuracy in % ± standard error. Peak memory: growth of the process's peak RSS (VmHWM) during training; " +
                                   "state: weights + gradients + AdamW moments. Wall time includes building the training graphs.").AppendLine();
        sb.AppendLine("Protocol: " + Protocol + "Benchmarks: lm-evaluation-harness v0.4 zero-shot (docs/eval.md)" +
                      (Config.Eval.Limit is int lim ? $", at most {lim} documents per task" : "") + ".").AppendLine();
        foreach (var n in Notes) sb.AppendLine("- " + n);
        if (Pretrain is { } p)
            sb.AppendLine().AppendLine($"Pretraining (embedded base, from random init): {p.Steps} steps, {p.TotalParameters:N0} parameters, final loss {p.FinalLoss:F3}" +
                                       $"{(p.ValLoss is double v ? $", val {v:F3}" : "")}, {p.TokensPerSecond:F0} tok/s, {p.WallSeconds:F1} s.");
        sb.AppendLine().AppendLine("## Finding").AppendLine();
        foreach (var f in Findings) sb.AppendLine("- " + f);
        sb.AppendLine().AppendLine("## Published reference: Med42-70B (not this study)").AppendLine();
        sb.AppendLine($"Source: {ReferenceNumbers.Source}. Protocol: {ReferenceNumbers.Protocol}. Compare only with runs of real checkpoints under the same protocol.").AppendLine();
        Table(sb, ["task", "Med42-70B accuracy (%)"], ReferenceNumbers.Med42_70B.Select(r => (IReadOnlyList<string>)[r.Task, r.Accuracy.ToString("F1", Inv)]).ToList());
        sb.AppendLine().AppendLine("## Charts").AppendLine();
        foreach (var c in ChartFiles) sb.AppendLine($"![{c}]({c})");
        sb.AppendLine().AppendLine("## Stages").AppendLine();
        Table(sb, ["stage", "status", "seconds"], stages.Select(s => (IReadOnlyList<string>)[s.Stage, s.Status, s.Seconds.ToString("F1", Inv)]).ToList());
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var r in rows) sb.AppendLine("| " + string.Join(" | ", r) + " |");
    }

    /// <summary>Writes the charts, report.md and report.html into <paramref name="dir"/>.</summary>
    public void Write(string dir, IReadOnlyList<StageEvent> stages)
    {
        Directory.CreateDirectory(dir);
        var losses = new Dictionary<string, IReadOnlyList<(int, double)>>();
        if (Pretrain is { } p) losses["pretrain"] = p.LossHistory.Select((l, i) => (i + 1, l)).ToList();
        foreach (var r in Runs.Where(r => r.Train is not null)) losses[r.Name] = r.Train!.LossHistory.Select((l, i) => (i + 1, l)).ToList();
        Charts.LossCurves(Path.Combine(dir, ChartFiles[0]), losses, "Training loss of every run");
        Charts.GroupedBars(Path.Combine(dir, ChartFiles[1]), "Accuracy per task (± stderr)", "accuracy (%)", Tasks,
            Runs.Select(r => (r.Name, Tasks.Select(t => 100 * (Score(r, t)?.Acc ?? 0)).ToArray(), (double[]?)Tasks.Select(t => 100 * (Score(r, t)?.Stderr ?? 0)).ToArray())).ToList());
        var trained = Runs.Where(r => r.Train is not null).ToList();
        Charts.GroupedBars(Path.Combine(dir, ChartFiles[2]), "Memory per run", "MiB", ["peak RSS growth", "weights+grads+AdamW"],
            trained.Select(r => (r.Name, new[] { (r.Train!.PeakRssDeltaBytes ?? 0) / 1048576.0, r.Train.StateBytes / 1048576.0 }, (double[]?)null)).ToList());
        Charts.GroupedBars(Path.Combine(dir, ChartFiles[3]), "Training throughput per run", "train tokens / s", ["tokens/s"],
            trained.Select(r => (r.Name, new[] { r.Train!.TokensPerSecond }, (double[]?)null)).ToList());
        var md = Markdown(stages);
        AtomicFile.WriteAllText(Path.Combine(dir, MarkdownFile), md);
        AtomicFile.WriteAllText(Path.Combine(dir, HtmlFile), Html(dir, stages));
    }

    private string Html(string dir, IReadOnlyList<StageEvent> stages)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>Med42.Ort study report</title>\n<style>\n")
          .Append("body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}")
          .Append("th,td{border:1px solid #bbb;padding:4px 8px;text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}")
          .Append(".ref{background:#fff8e6}img{max-width:100%;border:1px solid #ddd;margin:0.5em 0}\n</style>\n</head>\n<body>\n");
        sb.Append("<h1>Med42.Ort study: full-parameter vs LoRA fine-tuning</h1>\n");
        sb.Append($"<p>Base: <code>{E(Config.Base)}</code>; seed {Config.Seed}; seq_len {Config.SeqLen}; device {E(RecipeEnumConverter.Name(Config.Device))}, {Config.Threads} threads. " +
                  "Study data is teaching data generated from a curated fact base, not medical advice.</p>\n");
        sb.Append("<h2>Results (this study)</h2>\n");
        HtmlTable(sb, Header, Rows, "results");
        sb.Append($"<p>Accuracy in % ± standard error. Peak memory: growth of the process's peak RSS (VmHWM) during training; state: weights + gradients + AdamW moments.</p>\n");
        sb.Append($"<p>Protocol: {E(Protocol)}Benchmarks: lm-evaluation-harness v0.4 zero-shot{(Config.Eval.Limit is int lim ? $", at most {lim} documents per task" : "")}.</p>\n");
        if (Notes.Count > 0) sb.Append("<ul>").Append(string.Concat(Notes.Select(n => $"<li>{E(n)}</li>"))).Append("</ul>\n");
        sb.Append("<h2>Finding</h2>\n<ul>\n").Append(string.Concat(Findings.Select(f => $"<li>{E(f)}</li>\n"))).Append("</ul>\n");
        sb.Append("<h2>Charts</h2>\n");
        foreach (var c in ChartFiles)
            sb.Append($"<figure><img id=\"chart-{Path.GetFileNameWithoutExtension(c)}\" alt=\"{c}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(Path.Combine(dir, c)))}\" /></figure>\n");
        sb.Append("<h2 class=\"ref\">Published reference: Med42-70B (not this study)</h2>\n");
        sb.Append($"<p class=\"ref\">Source: {E(ReferenceNumbers.Source)}. Protocol: {E(ReferenceNumbers.Protocol)}. Compare only with runs of real checkpoints under the same protocol.</p>\n");
        HtmlTable(sb, ["task", "Med42-70B accuracy (%)"], ReferenceNumbers.Med42_70B.Select(r => (IReadOnlyList<string>)[r.Task, r.Accuracy.ToString("F1", Inv)]).ToList(), "reference");
        sb.Append("<h2>Stages</h2>\n");
        HtmlTable(sb, ["stage", "status", "seconds"], stages.Select(s => (IReadOnlyList<string>)[s.Stage, s.Status, s.Seconds.ToString("F1", Inv)]).ToList(), "stages");
        sb.Append("</body>\n</html>\n");
        return sb.ToString();

        static void HtmlTable(StringBuilder sb, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, string id)
        {
            sb.Append($"<table id=\"{id}\">\n<thead><tr>").Append(string.Concat(header.Select(h => $"<th>{WebUtility.HtmlEncode(h)}</th>"))).Append("</tr></thead>\n<tbody>\n");
            foreach (var r in rows) sb.Append("<tr>").Append(string.Concat(r.Select(c => $"<td>{WebUtility.HtmlEncode(c)}</td>"))).Append("</tr>\n");
            sb.Append("</tbody>\n</table>\n");
        }
    }
}
