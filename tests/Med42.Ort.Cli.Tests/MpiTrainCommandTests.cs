// `mpirun -np 2 med42 train` on stories260K against one process: two ranks with --grad-accum 1 take the steps one
// process takes with --grad-accum 2 on the same global batch (full and LoRA), and a failing or killed rank ends the
// whole job with a non-zero exit within a bounded time instead of leaving the other rank waiting in a collective.
// Needs Open MPI's mpirun (openmpi-bin) and libmed42_mpi (built when CMake finds libopenmpi-dev): skipped with a message
// when absent, failed when CI is set (.ci/run installs both).
using System.Diagnostics;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

public class MpiTrainCommandTests
{
    // Loopback on one machine: more ranks than cores is fine here, and CI runs as root in a container.
    internal static readonly string[] TwoRanks = ["mpirun", "--oversubscribe", "--allow-run-as-root", "-np", "2"];

    internal static void RequireMpi()
    {
        var mpirun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);
        var shim = File.Exists(Path.Combine(AppContext.BaseDirectory, "libmed42_mpi.so"));
        if (mpirun is not null && shim) return;
        var message = mpirun is null ? "mpirun not found (apt-get install openmpi-bin libopenmpi-dev)" : "libmed42_mpi.so was not built (no MPI found by CMake; apt-get install libopenmpi-dev)";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) throw new InvalidOperationException(message + " — required when CI is set");
        throw new SkipException(message);
    }

    private static string[] TrainArgs(TempDir d, string data, string mode, int accum, string output, int steps = 3) =>
    [
        "train", "--model", SharedData.Path("models/stories260K/stories260K.bin"), "--tokenizer", SharedData.Path("models/stories260K/tok512.model"),
        "--data", data, "--mode", mode, "--lora-rank", "4", "--lora-alpha", "8", "--lora-dropout", mode == "lora" ? "0.1" : "0",
        "--max-steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lr", "3e-3", "--schedule", "cosine",
        "--warmup-ratio", "0.2", "--batch-size", "2", "--grad-accum", accum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--seq-len", "64", "--packing", "false", "--system-prompt", "Tell a story.", "--threads", "1", "--seed", "5", "--save-every", "2",
        "--out", output,
    ];

    [SkippableTheory]
    [Trait("Category", "Slow")]
    [InlineData("full", "model", false)]
    [InlineData("lora", "adapter", false)]
    [InlineData("full", "model", true)]
    [InlineData("lora", "adapter", true)]
    public void TwoRanksEqualOneProcessWithTwiceTheAccumulation(string mode, string outputFolder, bool shardOptimizer)
    {
        RequireMpi();
        using var d = new TempDir();
        var data = StorySamples.WriteJsonl(d);
        var (code1, out1, err1) = Med42Process.Run(TimeSpan.FromMinutes(5), TrainArgs(d, data, mode, accum: 2, d.File("one")));
        Assert.True(code1 == 0, $"exit {code1}\n{out1}\n{err1}");
        string[] two = [.. TrainArgs(d, data, mode, accum: 1, d.File("two")), .. shardOptimizer ? ["--shard-optimizer"] : Array.Empty<string>()];
        var (code2, out2, err2) = Med42Process.RunUnder(TwoRanks, TimeSpan.FromMinutes(5), two);
        Assert.True(code2 == 0, $"exit {code2}\n{out2}\n{err2}");
        // ZeRO-1 reports what it saves: each of the two ranks holds the moments of about half of the parameters.
        if (shardOptimizer) Assert.Contains("--shard-optimizer: AdamW moments", err2);

        // Float sums of the same micro-batch gradients in another grouping ((g0 + g2) + (g1 + g3) against
        // ((g0 + g1) + g2) + g3) differ by a few float32 roundings per step; three AdamW steps at lr 3e-3 keep that
        // far below 1e-6 in the weights, while one micro-batch trained twice or skipped moves them by ~lr.
        var (maxDelta, count) = MaxAbsDifference(Path.Combine(d.File("one"), outputFolder), Path.Combine(d.File("two"), outputFolder));
        Assert.True(count > 0, "no tensors compared");
        Assert.True(maxDelta <= 1e-6, $"max |Δ| over {count} tensors: {maxDelta:G3}");
        // Only rank 0 writes: one metrics row per step, and the step count is that of the global batch.
        Assert.Equal(3, File.ReadAllLines(Path.Combine(d.File("two"), "metrics.jsonl")).Length);
        AssertSameMetrics(Path.Combine(d.File("one"), "metrics.jsonl"), Path.Combine(d.File("two"), "metrics.jsonl"));
    }

    // The same rows and fields; numbers equal to 1e-6 relative (losses and norms are the same float sums in another
    // grouping), tokens_per_s aside (a timing).
    private static void AssertSameMetrics(string expectedPath, string actualPath)
    {
        var expected = File.ReadAllLines(expectedPath).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject()).ToList();
        var actual = File.ReadAllLines(actualPath).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Select(kv => kv.Key), actual[i].Select(kv => kv.Key));
            foreach (var (key, value) in expected[i])
            {
                if (key == "tokens_per_s") continue;
                double x = value!.GetValue<double>(), y = actual[i][key]!.GetValue<double>();
                Assert.True(Math.Abs(x - y) <= 1e-6 * Math.Max(1, Math.Abs(x)), $"row {i} {key}: {x:R} vs {y:R}");
            }
        }
    }

    private static (double Max, int Count) MaxAbsDifference(string a, string b)
    {
        var files = Directory.GetFiles(a, "*.safetensors").Select(Path.GetFileName).Order().ToList();
        Assert.NotEmpty(files);
        Assert.Equal(files, Directory.GetFiles(b, "*.safetensors").Select(Path.GetFileName).Order());
        double max = 0;
        var count = 0;
        foreach (var file in files)
        {
            using var x = SafetensorsFile.Open(Path.Combine(a, file!));
            using var y = SafetensorsFile.Open(Path.Combine(b, file!));
            Assert.Equal(x.Tensors.Select(t => t.Name), y.Tensors.Select(t => t.Name));
            foreach (var t in x.Tensors)
            {
                var (u, v) = (x.ReadFloat32(t.Name), y.ReadFloat32(t.Name));
                for (var i = 0; i < u.Length; i++) max = Math.Max(max, Math.Abs((double)u[i] - v[i]));
                count++;
            }
        }
        return (max, count);
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void ARankThatFailsAbortsTheJobNamingItself()
    {
        RequireMpi();
        using var d = new TempDir();
        var good = StorySamples.WriteJsonl(d);
        var bad = d.File("missing.jsonl");
        // MPMD launch: rank 0 gets the data, rank 1 a file that does not exist, so rank 1 throws in the trainer (after
        // MPI_Init) while rank 0 waits for it at the first barrier.
        string[] launcher = ["mpirun", "--oversubscribe", "--allow-run-as-root", "-np", "1", "dotnet", Path.Combine(AppContext.BaseDirectory, "med42.dll"),
            .. TrainArgs(d, good, "lora", 1, d.File("run"), steps: 50), ":", "-np", "1"];
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = Med42Process.RunUnder(launcher, TimeSpan.FromSeconds(120), TrainArgs(d, bad, "lora", 1, d.File("run"), steps: 50));
        Assert.True(code != 0, $"exit 0\n{stdout}\n{stderr}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.Contains("med42: error: rank 1 of 2:", stderr);
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void KillingOneRankEndsEveryRankAndTheRunResumesExactly()
    {
        RequireMpi();
        using var d = new TempDir();
        var data = StorySamples.WriteJsonl(d);
        // Sharded optimizer state, so the checkpoint is gathered from both ranks and scattered back on resume.
        string[] Args(string output) => [.. TrainArgs(d, data, "lora", 1, output, steps: 300), "--shard-optimizer"];
        var (code, stdout, stderr) = Med42Process.RunUnder(TwoRanks, TimeSpan.FromMinutes(5), Args(d.File("whole")));
        Assert.True(code == 0, $"uninterrupted run: exit {code}\n{stdout}\n{stderr}");

        var output = d.File("killed");
        using (var job = Med42Process.Start(TwoRanks, Args(output)))
        {
            var jobStderr = job.StandardError.ReadToEndAsync();
            _ = job.StandardOutput.ReadToEndAsync();
            try
            {
                var checkpoints = Path.Combine(output, "checkpoints");
                var waited = Stopwatch.StartNew();
                while (!(Directory.Exists(checkpoints) && Directory.GetDirectories(checkpoints, "step-*").Length > 0))  // mid-run: a checkpoint exists
                {
                    // stderr is read only once the job has ended: awaiting it while the ranks run would block this loop.
                    if (job.HasExited) Assert.Fail($"job ended before the kill ({job.ExitCode}; raise --max-steps if it ran to the end): {jobStderr.Result}");
                    Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), "no checkpoint within 3 minutes");
                    Thread.Sleep(20);
                }
                var ranks = Descendants(job.Id).Where(pid => CommandLine(pid).Contains("med42.dll", StringComparison.Ordinal)).ToList();
                Assert.Equal(2, ranks.Count);
                Process.GetProcessById(ranks[1]).Kill();  // SIGKILL: no handler, no MPI_Abort from the victim
                var clock = Stopwatch.StartNew();
                Assert.True(job.WaitForExit(TimeSpan.FromSeconds(60)), "mpirun still running 60 s after a rank was killed");
                Assert.NotEqual(0, job.ExitCode);
                Assert.True(SpinUntil(() => !Alive(ranks[0]), TimeSpan.FromSeconds(60) - clock.Elapsed), "the surviving rank is still running");
            }
            finally
            {
                if (!job.HasExited) job.Kill(entireProcessTree: true);
            }
        }
        Assert.False(File.Exists(Path.Combine(output, "adapter", "adapter_model.safetensors")), "the killed run finished before the kill");

        // Resume from the killed run's last checkpoint: the same 2-rank job, same flags; the final adapter equals the
        // uninterrupted one bit for bit (same steps, same sums, same loader and dropout positions from the checkpoint).
        (code, stdout, stderr) = Med42Process.RunUnder(TwoRanks, TimeSpan.FromMinutes(5), [.. Args(output), "--resume", output]);
        Assert.True(code == 0, $"resumed run: exit {code}\n{stdout}\n{stderr}");
        var (maxDelta, count) = MaxAbsDifference(Path.Combine(d.File("whole"), "adapter"), Path.Combine(output, "adapter"));
        Assert.True(count > 0, "no tensors compared");
        Assert.Equal(0.0, maxDelta);
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void AStalledRankIsCaughtByTheCollectiveTimeout()
    {
        RequireMpi();
        using var d = new TempDir();
        var output = d.File("run");
        string[] args = [.. TrainArgs(d, StorySamples.WriteJsonl(d), "lora", 1, output, steps: 100000), "--collective-timeout", "10"];
        using var job = Med42Process.Start(TwoRanks, args);
        var stderr = job.StandardError.ReadToEndAsync();
        _ = job.StandardOutput.ReadToEndAsync();
        var stopped = 0;
        try
        {
            var metrics = Path.Combine(output, "metrics.jsonl");
            var waited = Stopwatch.StartNew();
            while (!(File.Exists(metrics) && new FileInfo(metrics).Length > 0))
            {
                if (job.HasExited) Assert.Fail($"job ended early ({job.ExitCode}): {stderr.Result}");
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3), "no training step within 3 minutes");
                Thread.Sleep(50);
            }
            var ranks = Descendants(job.Id).Where(pid => CommandLine(pid).Contains("med42.dll", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, ranks.Count);
            stopped = ranks[1];
            Signal("-STOP", stopped);  // alive but silent: the launcher sees nothing wrong, only the other rank's wait can
            Assert.True(job.WaitForExit(TimeSpan.FromSeconds(60)), "mpirun still running 60 s after a rank stalled (timeout 10 s)");
            Assert.NotEqual(0, job.ExitCode);
            Assert.Contains("med42: error: rank 0 of 2: a ", stderr.Result);
            Assert.Contains("waited more than 10 s for the other ranks", stderr.Result);
        }
        finally
        {
            if (!job.HasExited) job.Kill(entireProcessTree: true);
            if (stopped != 0 && Alive(stopped)) Signal("-KILL", stopped);
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static bool SpinUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition()) { if (clock.Elapsed > timeout) return false; Thread.Sleep(100); }
        return true;
    }

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
    }

    // Every process below root, from /proc's parent links.
    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
        }
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.Count > 0)
        {
            var p = frontier.Dequeue();
            foreach (var (child, parent) in parents) if (parent == p) { found.Add(child); frontier.Enqueue(child); }
        }
        return found.Order().ToList();
    }
}
