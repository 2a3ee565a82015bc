// The training loop: gradient accumulation normalised by the total target-token count of the step,
// global-norm clipping, LR schedule, fused AdamW on resident buffers, periodic evaluation and atomic
// checkpoints, exact resume, and the final HF folder (full) or PEFT adapter (LoRA).
// Per step: g = Σ_microbatches ∇(Σ token losses) / Σ_microbatches targets  — not a mean of means.
using Med42.Ort.Llama.Lora;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;

namespace Med42.Ort.Training.Trainer;

public static class Trainer
{
    public const string ArtifactsFolder = "artifacts";
    public const string CheckpointsFolder = "checkpoints";
    public const string MetricsFile = "metrics.jsonl";
    public const string ModelFolder = "model";
    public const string AdapterFolder = "adapter";

    /// <summary>`med42 train`: opens the model and tokenizer named by <paramref name="o"/> and trains.</summary>
    public static TrainResult Run(TrainOptions o, IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        o.Validate();
        using var checkpoint = LlamaCheckpoint.Open(o.Model);
        var tokenizerPath = o.Tokenizer ?? (Directory.Exists(o.Model) ? o.Model : Path.GetDirectoryName(Path.GetFullPath(o.Model))!);
        var tokenizer = TokenizerLoader.Load(tokenizerPath, checkpoint.Format == CheckpointFormat.Llama2c ? checkpoint.Config.VocabSize : null);
        return Run(o, checkpoint.Config, checkpoint.Weights, tokenizer, tokenizerPath, progress, ct);
    }

    /// <summary>Trains a model already in memory (<paramref name="o"/>.Model is only recorded as the base model's name).</summary>
    public static TrainResult Run(TrainOptions o, LlamaConfig config, ITensorStore weights, ITextTokenizer tokenizer, string? tokenizerSource,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        o.Validate();
        var libraries = CustomOpLibraries(o);
        var data = PreparedData.Load(o.Data, tokenizer, config.VocabSize, o.ToDataOptions());
        Directory.CreateDirectory(o.Out);
        var artifacts = TrainingArtifacts.Build(config, weights, o.Mode, o.Mode.IsAdapter() ? o.Lora : null,
            new ArtifactOptions { Seed = o.Seed, GradientCheckpointing = o.GradientCheckpointing, Kernels = o.Kernels, Int4BlockSize = o.Int4BlockSize });
        var artDir = Path.Combine(o.Out, ArtifactsFolder);
        artifacts.SaveModels(artDir);

        var state = TrainingState.Fresh(artifacts.Parameters, artifacts.InitialParameters);
        var loader = new DataLoader(data.Train, o.BatchSize, o.SeqLen, o.Packing, o.Seed, o.Shuffle);
        var ts = new TrainerState { DropoutRng = o.Seed ^ 0xD20F_0D20_F0D2UL };
        string? lastCheckpoint = null;
        if (o.Resume is not null)
        {
            lastCheckpoint = ResolveResume(o.Resume);
            ts = CheckpointIo.Load(lastCheckpoint, state);
            loader.State = new LoaderState(ts.Epoch, ts.Row);
        }
        var rng = new SplitMixRng(ts.DropoutRng);
        var total = o.MaxSteps ?? o.Epochs * (int)Math.Ceiling(loader.BatchesPerEpoch / (double)o.GradAccum);
        var warmup = LrSchedule.WarmupSteps(o.WarmupRatio, total);
        var settings = new SessionSettings { Device = o.Device, Threads = o.Threads, CustomOpLibraries = libraries };
        using var session = new TrainingSession(Path.Combine(artDir, TrainingArtifacts.TrainingModelFile), settings, state, o.BatchSize, o.SeqLen, artifacts.DropoutMasks, withGradients: true, recomputes: o.GradientCheckpointing);
        using var eval = data.Validation.Count > 0
            ? new TrainingSession(Path.Combine(artDir, TrainingArtifacts.EvalModelFile), settings, state, o.BatchSize, o.SeqLen, [], withGradients: false)
            : null;
        var adam = new AdamWOptions(o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay);
        var ckRoot = Path.Combine(o.Out, CheckpointsFolder);
        var history = new List<double>();
        var clock = Stopwatch.StartNew();
        long tokensThisRun = 0;
        double lastLoss = ts.LastLoss ?? double.NaN;
        double? evalLoss = null;
        using var metrics = new StreamWriter(Path.Combine(o.Out, MetricsFile), append: true);

        TrainerState Snapshot(int step) => new()
        {
            Step = step, Epoch = loader.State.Epoch, Row = loader.State.Row, DropoutRng = rng.State,
            TokensSeen = ts.TokensSeen + tokensThisRun, LastLoss = lastLoss,
        };
        void Save(int step)
        {
            lastCheckpoint = CheckpointIo.StepFolder(ckRoot, step);
            CheckpointIo.Save(lastCheckpoint, state, Snapshot(step));
            CheckpointIo.KeepLast(ckRoot, o.KeepLast);
        }

        var savedAt = -1;
        for (var step = ts.Step; step < total; step++)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var p in state.Parameters) Array.Clear(p.Grad);
            double lossSum = 0;
            long targets = 0, realTokens = 0;
            for (var k = 0; k < o.GradAccum; k++)
            {
                var batch = loader.Next();
                FillMasks(session.Masks, rng, o.Lora.Dropout);
                var (l, n) = session.Run(batch);
                lossSum += l;
                targets += n;
                realTokens += batch.RealTokens;
                for (var i = 0; i < state.Parameters.Count; i++) Accumulate(state.Parameters[i].Grad, session.Gradients[i]);
            }
            var loss = lossSum / Math.Max(1, targets);
            var inv = 1f / Math.Max(1, targets);
            double sq = 0;
            foreach (var p in state.Parameters)
            {
                var g = p.Grad;
                for (var j = 0; j < g.Length; j++) { g[j] *= inv; sq += (double)g[j] * g[j]; }
            }
            var norm = Math.Sqrt(sq);
            if (!double.IsFinite(loss) || !double.IsFinite(norm))
                throw new Med42Exception($"step {step + 1}: non-finite {(double.IsFinite(loss) ? "gradient norm" : "loss")} ({(double.IsFinite(loss) ? norm : loss)}); " +
                    $"training stopped before updating the parameters; last good checkpoint: {lastCheckpoint ?? "none"} (try a lower lr or max_grad_norm)");
            if (o.MaxGradNorm > 0 && norm > o.MaxGradNorm)
            {
                var clip = (float)(o.MaxGradNorm / (norm + 1e-6)); // torch.nn.utils.clip_grad_norm_
                foreach (var p in state.Parameters) for (var j = 0; j < p.Grad.Length; j++) p.Grad[j] *= clip;
            }
            var lr = LrSchedule.At(o.Schedule, o.Lr, step, total, warmup);
            foreach (var p in state.Parameters) FusedAdamW.Step(p.Values, p.Grad, p.M, p.V, lr, step + 1, adam, p.Decays);
            tokensThisRun += realTokens;
            lastLoss = loss;
            history.Add(loss);

            double? stepEval = null, stepPpl = null;
            var done = step + 1;
            if (eval is not null && ((o.EvalEvery > 0 && done % o.EvalEvery == 0) || done == total))
            {
                stepEval = evalLoss = Evaluate(eval, data.Validation, o);
                stepPpl = Math.Exp(stepEval.Value);
            }
            var elapsed = clock.Elapsed.TotalSeconds;
            var tps = tokensThisRun / Math.Max(1e-9, elapsed);
            var eta = TimeSpan.FromSeconds(elapsed / Math.Max(1, done - ts.Step) * (total - done));
            WriteMetrics(metrics, done, loss, lr, norm, ts.TokensSeen + tokensThisRun, tps, stepEval, stepPpl);
            if (o.SaveEvery > 0 && done % o.SaveEvery == 0) { Save(done); savedAt = done; }
            progress?.Report(new TrainProgress(done, total, loss, lr, norm, tps, eta, stepEval, stepPpl));
        }
        if (savedAt != total && ts.Step < total) Save(total);

        string output;
        if (o.Mode == TrainingMode.Full)
        {
            output = Path.Combine(o.Out, ModelFolder);
            HfFolderWriter.Save(output, config, state.ToStore(), DType.F32, tokenizerSource: tokenizerSource, overwrite: true, chatTemplate: Med42ChatTemplate.For(o.Template));
        }
        else
        {
            output = Path.Combine(o.Out, AdapterFolder);
            var baseModel = PeftBaseModel.Resolve(o.Model, Path.Combine(o.Out, PeftBaseModel.FolderName), config, weights, tokenizerSource, Med42ChatTemplate.For(o.Template), overwrite: true);
            PeftAdapter.Write(output, config, o.Lora, state.ToStore(), baseModel, force: true);
        }
        return new TrainResult(total, lastLoss, evalLoss, output, lastCheckpoint, data.Stats, history);
    }

    /// <summary>
    /// libmed42_ort_ops when the graphs use ai.med42 ops: --kernels native, or --mode qlora (the int4 base's backward
    /// is DequantInt4). Checked before any data is read, so a missing library fails fast.
    /// </summary>
    public static IReadOnlyList<string> CustomOpLibraries(TrainOptions o)
    {
        if (o.Mode == TrainingMode.Qlora && !Native.OrtCustomOps.IsAvailable)
            throw new Med42Exception($"--mode qlora: lib{Native.OrtCustomOps.LibraryName} (the ai.med42 custom ops; the int4 base's backward " +
                "runs its DequantInt4) was not found beside the application or in $MED42_NATIVE_DIR; build native/ (docs/native.md) or use --mode lora");
        return Native.OrtCustomOps.LibrariesFor(o.Kernels == Llama.Graphs.LlamaKernels.Native || o.Mode == TrainingMode.Qlora);
    }

    /// <summary>Mean loss per target token over the validation documents (perplexity = exp of it).</summary>
    public static double Evaluate(TrainingSession eval, IReadOnlyList<TokenizedDocument> docs, TrainOptions o)
    {
        double sum = 0;
        long count = 0;
        foreach (var b in DataLoader.Sequential(docs, o.BatchSize, o.SeqLen, o.Packing))
        {
            var (l, n) = eval.Run(b);
            sum += l;
            count += n;
        }
        return sum / Math.Max(1, count);
    }

    private static void Accumulate(float[] acc, float[] g)
    {
        for (var j = 0; j < acc.Length; j++) acc[j] += g[j];
    }

    // Keep-probability 1 − p per element, drawn in a fixed order from the trainer's RNG.
    private static void FillMasks(List<bool[]> masks, SplitMixRng rng, double p)
    {
        foreach (var m in masks)
            for (var i = 0; i < m.Length; i++) m[i] = rng.NextDouble() >= p;
    }

    private static string ResolveResume(string path)
    {
        if (File.Exists(Path.Combine(path, CheckpointIo.StateFile))) return path;
        var list = CheckpointIo.List(Path.Combine(path, CheckpointsFolder));
        if (list.Count > 0) return list[^1];
        throw new Med42Exception($"{path}: --resume needs a checkpoint folder (with {CheckpointIo.StateFile}) or a run folder with {CheckpointsFolder}/step-*");
    }

    private static void WriteMetrics(StreamWriter w, int step, double loss, double lr, double norm, long tokens, double tps, double? evalLoss, double? ppl)
    {
        var row = new Dictionary<string, object?>
        {
            ["step"] = step, ["loss"] = loss, ["lr"] = lr, ["grad_norm"] = norm, ["tokens"] = tokens, ["tokens_per_s"] = tps,
        };
        if (evalLoss is not null) { row["eval_loss"] = evalLoss; row["eval_perplexity"] = ppl; }
        w.WriteLine(JsonSerializer.Serialize(row));
        w.Flush();
    }
}
