// `med42 bench train`: training-step tokens/s and peak memory, full vs LoRA, with and without gradient
// checkpointing, per model shape (stories260K, random stories15M/110M shapes) and thread count, next to ONNX
// Runtime's own large f32 MatMul rate measured in the same run with the weight as an input (the training case).
// Training FLOPs per token = k·N + 12·L·C·T (PaLM appendix B): k = 6 for full fine-tuning (forward 2N, input
// gradients 2N, weight gradients 2N), k = 4 for LoRA (frozen weights get no weight gradient); N = the parameters
// that take part in matmuls (the embedding table only when tied to lm_head), T = sequence length.
// Each configuration runs in a child process (`med42 bench train-step`, below) so peak memory (VmHWM, reset after
// the artifacts are built: it covers the ORT session and the steps) is not polluted by earlier configurations.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;
using Spectre.Console;

namespace Med42.Ort.Cli.Bench;

internal sealed class TrainBenchmark : IBenchmark
{
    public string Name => "train";

    public int Run(BenchCommand o, CancellationToken cancellationToken)
    {
        var csv = new BenchCsv(o.Csv);
        var table = new Table().AddColumns("model", "mode", "ckpt", "threads", "B×T", "step s", "tok/s", "train GFLOP/s",
            "MatMul GFLOP/s", "% of MatMul", "peak MB", "base MB");
        var results = new List<StepResult>();
        foreach (var threads in o.ThreadCounts())
        {
            var matmul = Ceilings.MatMulGflops(threads, weightIsConstant: false);
            foreach (var model in o.ModelNames())
                foreach (var mode in new[] { "full", "lora" })
                    foreach (var ck in new[] { false, true })
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var r = RunChild(o, model, mode, ck, threads);
                        results.Add(r);
                        var pct = 100 * r.Gflops / matmul;
                        table.AddRow(r.Label, mode, ck ? "on" : "off", threads.ToString(CultureInfo.InvariantCulture), $"{r.Batch}×{r.SeqLen}",
                            $"{r.StepSeconds:F2}", $"{r.TokensPerSecond:F0}", $"{r.Gflops:F1}", $"{matmul:F0}", $"{pct:F0}%",
                            $"{r.PeakBytes / 1e6:F0}", $"{r.BaseBytes / 1e6:F0}");
                        var setting = $"{mode},ckpt={(ck ? "on" : "off")},threads={threads},bt={r.Batch}x{r.SeqLen}";
                        csv.Append("train", r.Label, setting, "tok_s", r.TokensPerSecond, pct);
                        csv.Append("train", r.Label, setting, "peak_rss_bytes", r.PeakBytes, double.NaN);
                        csv.Append("train", r.Label, $"threads={threads}", "matmul_gflops_weight_input", matmul, double.NaN);
                    }
        }
        AnsiConsole.Write(table);
        foreach (var g in results.GroupBy(r => (r.Label, r.Threads, r.Checkpointing)))
        {
            var full = g.First(r => r.Mode == "full");
            var lora = g.First(r => r.Mode == "lora");
            Console.WriteLine($"{g.Key.Label} threads={g.Key.Threads} ckpt={(g.Key.Checkpointing ? "on" : "off")}: LoRA peak = {100.0 * lora.PeakBytes / full.PeakBytes:F0}% of full");
        }
        Console.WriteLine($"appended rows to {o.Csv}");
        return 0;
    }

    private static StepResult RunChild(BenchCommand o, string model, string mode, bool ck, int threads)
    {
        // Re-run this executable (apphost, or `dotnet med42.dll`) in its hidden single-configuration mode.
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate the med42 executable");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var a in new[] { "bench", "train-step", "--models", $"{model}:{mode}:{(ck ? "ckpt" : "plain")}", "--threads", threads.ToString(CultureInfo.InvariantCulture),
                     "--steps", (o.Quick ? 2 : Math.Max(1, o.Repeats)).ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        if (o.Stories260K is not null) { psi.ArgumentList.Add("--stories260k"); psi.ArgumentList.Add(o.Stories260K); }
        if (o.Quick) psi.ArgumentList.Add("--quick");
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start the child benchmark");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || line is null)
            throw new Med42Exception($"bench train: child for {model} {mode} ckpt={ck} failed (exit {p.ExitCode}): {stderr.Result.Trim()}");
        return JsonSerializer.Deserialize<StepResult>(line)!;
    }
}

internal sealed record StepResult(string Label, string Mode, bool Checkpointing, int Threads, int Batch, int SeqLen,
    double StepSeconds, double TokensPerSecond, double Gflops, long PeakBytes, long BaseBytes);

/// <summary>Hidden child mode of `bench train`: one configuration ("--models NAME:full|lora:ckpt|plain"), prints one JSON line.</summary>
internal sealed class TrainStepBenchmark : IBenchmark
{
    public string Name => "train-step";

    public int Run(BenchCommand o, CancellationToken cancellationToken)
    {
        var parts = o.Models.Split(':');
        if (parts.Length != 3) throw new Med42Exception($"bench train-step: --models must be NAME:full|lora:ckpt|plain, got '{o.Models}'");
        var mode = parts[1] == "full" ? TrainingMode.Full : TrainingMode.Lora;
        var ck = parts[2] == "ckpt";
        var threads = o.ThreadCounts()[0];
        var (label, config, weights) = BenchShapes.Load(parts[0], o);
        // B×T per step: the shape's context for the small models, 1×256 for 110M (a step stays a few seconds on 2 cores).
        var seq = Math.Min(256, config.MaxPositionEmbeddings);
        var batch = config.HiddenSize >= 768 ? 1 : o.Quick ? 2 : 4;
        var lora = new LoraConfig { Rank = 8, Alpha = 16, Targets = ["q_proj", "v_proj"] };
        var work = Directory.CreateTempSubdirectory("med42-train-bench-").FullName;
        try
        {
            TrainingState state;
            IReadOnlyList<(string Name, long Features)> masks;
            using (weights)
            {
                var a = TrainingArtifacts.Build(config, weights, mode, mode == TrainingMode.Lora ? lora : null, new ArtifactOptions { GradientCheckpointing = ck });
                a.SaveModels(work);
                state = TrainingState.Fresh(a.Parameters, a.InitialParameters);
                masks = a.DropoutMasks;
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var baseBytes = Status("VmRSS:");
            ResetPeak();
            var b = RandomBatch(batch, seq, config.VocabSize);
            var settings = new SessionSettings { Threads = threads };
            using var session = new TrainingSession(Path.Combine(work, TrainingArtifacts.TrainingModelFile), settings, state, batch, seq, masks, withGradients: true, recomputes: ck);
            var adam = new AdamWOptions(0.9, 0.999, 1e-8, 0.0);
            double Step(int t)
            {
                var w = Stopwatch.StartNew();
                var (loss, _) = session.Run(b);
                if (!double.IsFinite(loss)) throw new InvalidOperationException($"non-finite loss {loss}");
                for (var i = 0; i < state.Parameters.Count; i++)
                {
                    var p = state.Parameters[i];
                    AdamW.Step(p.Values, session.Gradients[i], p.M, p.V, 1e-5, t, adam, p.Decays);
                }
                return w.Elapsed.TotalSeconds;
            }
            Step(1); // warm-up: allocations, first-run kernel selection
            var steps = Math.Max(1, o.Steps == 256 ? 3 : o.Steps);
            var times = Enumerable.Range(2, steps).Select(Step).Order().ToArray();
            var median = times[times.Length / 2];
            var tokens = (double)batch * seq;
            var n = (double)WeightLayout.ParameterCount(config) - (config.TieWordEmbeddings ? 0 : (double)config.VocabSize * config.HiddenSize);
            var flopsPerToken = (mode == TrainingMode.Full ? 6 : 4) * n + 12.0 * config.NumHiddenLayers * config.HiddenSize * seq;
            var tps = tokens / median;
            var r = new StepResult(label, parts[1], ck, threads, batch, seq, median, tps, flopsPerToken * tps / 1e9, Status("VmHWM:"), baseBytes);
            Console.WriteLine(JsonSerializer.Serialize(r));
            return 0;
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    // One document per row: labels are the next token (the last is ignored), positions restart per row.
    private static Batch RandomBatch(int rows, int seq, int vocab)
    {
        var rng = new Llama.Checkpoints.TinyLlama.SplitMix64(7);
        var ids = new long[rows * seq];
        for (var i = 0; i < ids.Length; i++) ids[i] = 3 + (long)(rng.NextUInt64() % (ulong)(vocab - 3));
        var labels = new long[ids.Length];
        var seg = new long[ids.Length];
        var pos = new long[ids.Length];
        for (var r = 0; r < rows; r++)
            for (var t = 0; t < seq; t++)
            {
                var k = r * seq + t;
                labels[k] = t + 1 < seq ? ids[k + 1] : Packer.IgnoreIndex;
                seg[k] = 1;
                pos[k] = t;
            }
        return new Batch(rows, seq, ids, labels, seg, pos);
    }

    // Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS (proc(5)).
    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // /proc/self/status values are in kB.
    private static long Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
