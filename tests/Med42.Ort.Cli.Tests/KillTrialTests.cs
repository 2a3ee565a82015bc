// kill -9 at seeded random moments across the verbs that write outputs (train, convert, export, merge, eval --output,
// study), as a crash or an OOM kill would: the target is afterwards absent or complete, never partial; a rerun is never
// blocked by what the kill left; and a killed training run resumed from its checkpoints ends with the bitwise
// parameters of the uninterrupted run. Slow: ~25 child processes of stories260K work. See docs/reliability.md.
using System.Diagnostics;
using System.Text.Json;
using Med42.Ort.Core.IO;
using Med42.Ort.Tests.Shared;
using Xunit.Abstractions;

namespace Med42.Ort.Cli.Tests;

public class KillTrialTests(ITestOutputHelper log)
{
    public const int Seed = 14;

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void KillNineAtRandomMomentsNeverLeavesAPartialOutput()
    {
        using var d = new TempDir();
        var f = new Fixture(d);
        var rng = new Random(Seed);
        var trials = 0;

        // Train (LoRA with dropout: the data order, the dropout stream and the optimizer state all have to resume).
        var straight = d.File("straight");
        var trainSeconds = Timed(f.Train(straight));
        var final = FinalParams(straight);
        for (var i = 0; i < 8; i++, trials++)
        {
            var run = d.File($"train-{i}");
            var at = KillAt(rng, trainSeconds, f.Train(run));
            AssertRunFolderComplete(run);
            var resumable = Directory.Exists(Path.Combine(run, "checkpoints")) && Directory.EnumerateDirectories(Path.Combine(run, "checkpoints"), "step-*").Any();
            MustSucceed(resumable ? [.. f.Train(run), "--resume", run] : [.. f.Train(run), "--force"]);
            Assert.Equal(final, FinalParams(run));
            log.WriteLine($"train: killed at {at:F2} s, {(resumable ? "resumed" : "restarted")}, final parameters bitwise equal");
        }

        var adapter = Path.Combine(straight, "adapter");
        (string Name, Func<string, string[]> Args, Action<string> Complete, int Trials)[] verbs =
        [
            ("convert", o => ["convert", "--model", f.Model, "--tokenizer", f.Tokenizer, "--out", o],
                o => AssertFiles(o, "config.json", "model.safetensors", "tokenizer.model", "tokenizer.json"), 4),
            ("export", o => ["export", "--model", f.Model, "--tokenizer", f.Tokenizer, "--format", "genai", "--out", o],
                o => AssertFiles(o, "genai_config.json", "model.onnx"), 3),
            ("merge", o => ["merge", "--model", f.Model, "--adapter", adapter, "--out", o],
                o => AssertFiles(o, "config.json", "model.safetensors"), 3),
            ("eval", o => ["eval", "--model", f.Model, "--tokenizer", f.Tokenizer, "--tasks", "quiz", "--task-file", $"quiz={f.Quiz}",
                "--threads", "1", "--out", o, "--log-samples"], o => AssertFiles(o, "results.json", "results.md", "samples_quiz.jsonl"), 3),
        ];
        foreach (var (name, args, complete, count) in verbs)
        {
            var seconds = Timed(args(d.File($"{name}-reference")));
            for (var i = 0; i < count; i++, trials++)
            {
                var target = d.File($"{name}-{i}");
                var at = KillAt(rng, seconds, args(target));
                var existed = Directory.Exists(target);
                if (existed) complete(target); // renamed into place: whole
                MustSucceed(existed ? [.. args(target), "--force"] : args(target)); // a kill never blocks the rerun
                complete(target);
                AssertNoTemporaries(Path.GetDirectoryName(target)!);
                log.WriteLine($"{name}: killed at {at:F2} s of {seconds:F2} s, target {(existed ? "complete" : "absent")}, rerun ok");
            }
        }

        for (var i = 0; i < 2; i++, trials++)
        {
            var study = d.File($"study-{i}");
            var at = KillAt(rng, 40, ["study", "--quick", "--threads", "1", "--limit", "2", "--out", study]);
            var done = AssertFinishedStagesComplete(study);
            log.WriteLine($"study: killed at {at:F2} s, {done} finished stages complete");
        }
        log.WriteLine($"{trials} kill -9 trials");
        Assert.True(trials >= 20);
    }

    /// <summary>The shared inputs: stories260K, its tokenizer, the story samples and a five-question quiz.</summary>
    internal sealed class Fixture
    {
        public Fixture(TempDir d)
        {
            Model = SharedData.Path("models/stories260K/stories260K.bin");
            Tokenizer = SharedData.Path("models/stories260K/tok512.model");
            Data = StorySamples.WriteJsonl(d);
            Quiz = d.File("quiz.jsonl");
            File.WriteAllLines(Quiz, Enumerable.Range(0, 5).Select(i => JsonSerializer.Serialize(new
            {
                question = $"What did Tom throw {i}?", choices = new[] { "a ball", "a cake", "a rock" }, answer = i % 3,
            })));
        }

        public string Model { get; }
        public string Tokenizer { get; }
        public string Data { get; }
        public string Quiz { get; }

        public string[] Train(string output, int steps = 12) =>
        [
            "train", "--model", Model, "--tokenizer", Tokenizer, "--data", Data, "--mode", "lora", "--lora-rank", "4", "--lora-alpha", "8",
            "--lora-dropout", "0.1", "--lora-targets", "q_proj,v_proj", "--max-steps", steps.ToString(), "--lr", "5e-3", "--schedule", "cosine",
            "--batch-size", "4", "--grad-accum", "2", "--seq-len", "64", "--packing", "false", "--system-prompt", "Tell a story.",
            "--save-every", "2", "--keep-last", "2", "--threads", "1", "--seed", "1", "--out", output,
        ];
    }

    internal static string[] MustSucceed(string[] args)
    {
        var (code, stdout, stderr) = Med42Process.Run(TimeSpan.FromMinutes(10), args);
        Assert.True(code == 0, $"med42 {string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
        return args;
    }

    private static double Timed(string[] args)
    {
        var clock = Stopwatch.StartNew();
        MustSucceed(args);
        return clock.Elapsed.TotalSeconds;
    }

    // Starts med42 and sends SIGKILL (Process.Kill on Linux) after a seeded random part of a normal run's duration.
    private static double KillAt(Random rng, double seconds, string[] args)
    {
        var at = rng.NextDouble() * seconds;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "med42.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(at))) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return at;
    }

    internal static byte[] FinalParams(string run)
    {
        var last = Directory.GetDirectories(Path.Combine(run, "checkpoints"), "step-*").Order(StringComparer.Ordinal).Last();
        return File.ReadAllBytes(Path.Combine(last, "params.safetensors"));
    }

    /// <summary>Every checkpoint and output folder under its final name holds all its files.</summary>
    internal static void AssertRunFolderComplete(string run)
    {
        var checkpoints = Path.Combine(run, "checkpoints");
        if (Directory.Exists(checkpoints))
            foreach (var step in Directory.GetDirectories(checkpoints, "step-*"))
                AssertFiles(step, "params.safetensors", "optimizer.safetensors", "trainer_state.json");
        if (Directory.Exists(Path.Combine(run, "adapter"))) AssertFiles(Path.Combine(run, "adapter"), "adapter_config.json", "adapter_model.safetensors");
        if (Directory.Exists(Path.Combine(run, "model"))) AssertFiles(Path.Combine(run, "model"), "config.json", "model.safetensors");
    }

    internal static void AssertFiles(string dir, params string[] names)
    {
        foreach (var n in names) Assert.True(File.Exists(Path.Combine(dir, n)), $"{dir}: {n} missing (a partial folder under the final name)");
    }

    private static void AssertNoTemporaries(string dir) =>
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dir), e => PendingFile.TargetOf(Path.GetFileName(e)) is not null);

    // A study stage is finished when its marker exists: then its outputs are whole. Returns how many were finished.
    private static int AssertFinishedStagesComplete(string study)
    {
        if (!Directory.Exists(study)) return 0;
        var done = 0;
        foreach (var stage in Directory.GetDirectories(study).Where(s => File.Exists(Path.Combine(s, "stage.done.json"))))
        {
            done++;
            AssertRunFolderComplete(stage);
        }
        return done;
    }
}
