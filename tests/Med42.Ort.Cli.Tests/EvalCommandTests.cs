// `med42 eval` end to end on stories260K over a data folder laid out (symlinks, in a
// TempDir) from the dev files in ../shared/data, run as the built med42.dll in a child process.
// Checks: exit 0, every output written, per-task n, acc and stderr recomputed independently from the
// samples JSONL (sample sd / √n, as the harness), accuracy near chance for a 260K-parameter story model.
using System.Text.Json;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

public class EvalCommandTests
{
    private static readonly string[] Subjects = ["anatomy", "clinical_knowledge", "college_biology", "college_medicine", "medical_genetics", "professional_medicine"];

    internal static (int Code, string Stdout, string Stderr) RunMed42(params string[] args) => Med42Process.Run(args);

    private static void Link(string dataDir, string relative, string sharedRelative)
    {
        var path = Path.Combine(dataDir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, SharedData.Path(sharedRelative));
    }

    /// <summary>The documented --data-dir layout, linking the dev files (never copied into the repository).</summary>
    internal static void LayOut(string dataDir)
    {
        Link(dataDir, "medqa/test.jsonl", "medqa/phrases_no_exclude_dev.jsonl");
        Link(dataDir, "medmcqa/dev.json", "medmcqa/dev_sample300.json");
        Link(dataDir, "pubmedqa/test.json", "pubmedqa/pqal_dev500.json");
        foreach (var s in Subjects)
        {
            Link(dataDir, $"mmlu/test/{s}_test.csv", $"mmlu/dev/{s}_dev.csv");
            Link(dataDir, $"mmlu/dev/{s}_dev.csv", $"mmlu/dev/{s}_dev.csv");
        }
    }

    [SkippableFact]
    public void Stories260K_MedicalGroup_WritesAllOutputs()
    {
        var model = SharedData.Path("models/stories260K/stories260K.bin");
        var tokenizer = SharedData.Path("models/stories260K/tok512.model");
        using var dir = new TempDir();
        var data = dir.File("data");
        LayOut(data);
        var output = dir.File("out");
        const int limit = 5;
        var (code, stdout, stderr) = RunMed42("eval", "--model", model, "--tokenizer", tokenizer, "--tasks", "medical",
            "--data-dir", data, "--limit", limit.ToString(), "--output", output, "--log-samples", "--batch-size", "8", "--threads", "1");
        Assert.True(code == 0, $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("| medqa_4options |", stdout);
        Assert.Contains("q/s", stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(output, "results.md")), stdout);

        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        var tasks = results.RootElement.GetProperty("results");
        string[] expectedTasks = ["medqa_4options", "medmcqa", "pubmedqa", .. Subjects.Select(s => "mmlu_" + s)];
        var correct = 0;
        var chance = 0.0;
        foreach (var task in expectedTasks)
        {
            var samples = File.ReadAllLines(Path.Combine(output, $"samples_{task}.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            Assert.Equal(limit, samples.Length);
            var acc = samples.Select(s => s.GetProperty("acc").GetDouble()).ToArray();
            foreach (var s in samples)
            {
                // filtered_resps: per choice [str(loglik), str(is_greedy)], as the harness logs them.
                var logliks = s.GetProperty("filtered_resps").EnumerateArray().Select(e => double.Parse(e[0].GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(s.GetProperty("doc").GetProperty("choices").GetArrayLength(), logliks.Length);
                Assert.All(logliks, l => Assert.True(l < 0 && double.IsFinite(l), $"{task}: log-likelihood {l}"));
                var gold = s.GetProperty("doc").GetProperty("gold").GetInt32();
                Assert.Equal(Array.IndexOf(logliks, logliks.Max()) == gold ? 1.0 : 0.0, s.GetProperty("acc").GetDouble()); // acc = argmax is gold
                chance += 1.0 / logliks.Length;
            }
            var m = results.RootElement.GetProperty("med42").GetProperty("results").GetProperty(task);
            Assert.Equal(limit, m.GetProperty("n").GetInt32());
            Assert.Equal(m.GetProperty("acc").GetDouble(), tasks.GetProperty(task).GetProperty("acc,none").GetDouble());
            var mean = acc.Average();
            // Harness stderr: sample standard deviation (n − 1) over √n.
            var stderrExpected = Math.Sqrt(acc.Sum(a => (a - mean) * (a - mean)) / (limit - 1) / limit);
            Assert.Equal(mean, m.GetProperty("acc").GetDouble(), 12);
            Assert.Equal(stderrExpected, m.GetProperty("acc_stderr").GetDouble(), 9); // printed JSON doubles round-trip; 1e-9 covers formula order
            correct += acc.Count(a => a == 1);
        }
        // Near chance: 45 questions, expected accuracy ≈ Σ 1/k / n ≈ 0.27, binomial sd ≈ 0.066; 4 sd either side.
        var n = expectedTasks.Length * limit;
        var p = chance / n;
        var sd = Math.Sqrt(p * (1 - p) / n);
        var overall = (double)correct / n;
        Assert.InRange(overall, p - 4 * sd, p + 4 * sd);
        var group = results.RootElement.GetProperty("groups").GetProperty("medical");
        Assert.Equal(overall, group.GetProperty("acc,none").GetDouble(), 12);
    }

    [SkippableFact]
    public void UnknownTaskFailsWithOneLineAndExit2()
    {
        var model = SharedData.Path("models/stories260K/stories260K.bin");
        using var dir = new TempDir();
        var (code, _, stderr) = RunMed42("eval", "--model", model, "--tasks", "medqa_5options", "--data-dir", dir.Path);
        Assert.Equal(2, code);
        Assert.StartsWith("med42: error:", stderr.Trim());
        Assert.Contains("medqa_4options", stderr); // lists the available tasks
    }
}
