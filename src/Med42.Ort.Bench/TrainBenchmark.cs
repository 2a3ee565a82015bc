// `med42 bench train`: training-step tokens/s and peak memory, full vs LoRA, with and without gradient
// checkpointing, per model shape (stories260K, random stories15M/110M shapes) and thread count, next to ONNX
// Runtime's own large f32 MatMul rate measured in the same run with the weight as an input (the training case).
// Training FLOPs per token = k·N + 12·L·C·T (PaLM appendix B): k = 6 for full fine-tuning (forward 2N, input
// gradients 2N, weight gradients 2N), k = 4 for LoRA (frozen weights get no weight gradient); N = the parameters
// that take part in matmuls (the embedding table only when tied to lm_head), T = sequence length.
// Each configuration runs in two child processes: `bench train-prepare` builds the random model and writes the
// artifacts to a temporary folder, then `bench train-step` loads them from disk like a user's training process and
// times the steps. Peak memory is that second process's whole VmHWM (runtime, parameters, ORT session, steps): no
// earlier configuration and none of the benchmark's model-building heap is in it, the same for full and LoRA.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Spectre.Console;

namespace Med42.Ort.Bench;

internal sealed class TrainBenchmark : IBenchmark
{
    public string Name => "train";

    public int Run(BenchOptions o, CancellationToken cancellationToken)
    {
        var csv = new BenchCsv(o.Csv);
        var table = new Table().AddColumns("model", "mode", "ckpt", "threads", "B×T", "step s", "tok/s", "train GFLOP/s",
            "MatMul GFLOP/s", "% of MatMul", "peak MB", "loaded MB");
        var results = new List<StepResult>();
        foreach (var threads in o.ThreadCounts())
        {
            foreach (var model in o.ModelNames())
                foreach (var mode in new[] { "full", "lora" })
                    foreach (var ck in new[] { false, true })
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        // The ceiling right before and right after this configuration, averaged: this VM's speed drifts by
                        // tens of percent over minutes, so one ceiling for the whole run skews the later ratios.
                        var before = Ceilings.MatMulGflops(threads, weightIsConstant: false);
                        var r = RunChild(o, model, mode, ck, threads);
                        var matmul = (before + Ceilings.MatMulGflops(threads, weightIsConstant: false)) / 2;
                        results.Add(r);
                        var pct = 100 * r.Gflops / matmul;
                        table.AddRow(r.Label, mode, ck ? "on" : "off", threads.ToString(CultureInfo.InvariantCulture), $"{r.Batch}×{r.SeqLen}",
                            $"{r.StepSeconds:F2}", $"{r.TokensPerSecond:F0}", $"{r.Gflops:F1}", $"{matmul:F0}", $"{pct:F0}%",
                            $"{r.PeakBytes / 1e6:F0}", $"{r.LoadedBytes / 1e6:F0}");
                        var setting = $"{mode},ckpt={(ck ? "on" : "off")},threads={threads},bt={r.Batch}x{r.SeqLen}";
                        csv.Append("train", r.Label, setting, "tok_s", r.TokensPerSecond, pct);
                        csv.Append("train", r.Label, setting, "peak_rss_bytes", r.PeakBytes, double.NaN);
                        csv.Append("train", r.Label, $"threads={threads}", "matmul_gflops_weight_input", matmul, double.NaN);
                    }
        }
        o.Output.Tables.Write(table);
        foreach (var g in results.GroupBy(r => (r.Label, r.Threads, r.Checkpointing)))
        {
            var full = g.First(r => r.Mode == "full");
            var lora = g.First(r => r.Mode == "lora");
            o.Output.Text.WriteLine($"{g.Key.Label} threads={g.Key.Threads} ckpt={(g.Key.Checkpointing ? "on" : "off")}: LoRA peak = {100.0 * lora.PeakBytes / full.PeakBytes:F0}% of full");
        }
        o.Output.Text.WriteLine($"appended rows to {o.Csv}");
        return 0;
    }

    private static StepResult RunChild(BenchOptions o, string model, string mode, bool ck, int threads)
    {
        var spec = $"{model}:{mode}:{(ck ? "ckpt" : "plain")}";
        var work = Directory.CreateTempSubdirectory("med42-train-bench-").FullName;
        try
        {
            RunChildMode(o, spec, ["bench", "train-prepare", "--models", spec, "--artifacts", work]);
            var stdout = RunChildMode(o, spec, ["bench", "train-step", "--models", spec, "--artifacts", work,
                "--threads", threads.ToString(CultureInfo.InvariantCulture), "--steps", (o.Quick ? 2 : Math.Max(1, o.Repeats)).ToString(CultureInfo.InvariantCulture)]);
            var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'))
                ?? throw new Med42Exception($"bench train: child for {spec} printed no result");
            return JsonSerializer.Deserialize<StepResult>(line)!;
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    // Re-runs this executable (apphost, or `dotnet med42.dll`) in one of its hidden child modes; returns its stdout.
    private static string RunChildMode(BenchOptions o, string spec, string[] args)
    {
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate the med42 executable");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (o.Stories260K is not null) { psi.ArgumentList.Add("--stories260k"); psi.ArgumentList.Add(o.Stories260K); }
        if (o.Quick) psi.ArgumentList.Add("--quick");
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start the child benchmark");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new Med42Exception($"bench {args[1]}: child for {spec} failed (exit {p.ExitCode}): {stderr.Result.Trim()}");
        return stdout;
    }
}

/// <param name="LoadedBytes">RSS of the training process once its parameters are loaded, before the ORT session.</param>
internal sealed record StepResult(string Label, string Mode, bool Checkpointing, int Threads, int Batch, int SeqLen,
    double StepSeconds, double TokensPerSecond, double Gflops, long PeakBytes, long LoadedBytes);
