// `med42 train` end to end: data and artifacts, a backend bound to them (TrainingSetup picks it), resume, the loop
// (TrainingLoop: TrainingStep, evaluation, metrics, checkpoints) and the final HF folder (full) or PEFT adapter (LoRA).
// Under several ranks every rank trains; only rank 0 writes files (artifacts, metrics, checkpoints, the output) and
// reports progress, and the others wait for it at a barrier before reading what it wrote.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Trainer;

public static class Trainer
{
    public const string ArtifactsFolder = "artifacts";
    public const string CheckpointsFolder = "checkpoints";
    public const string MetricsFile = "metrics.jsonl";
    public const string ModelFolder = "model";
    public const string AdapterFolder = "adapter";

    /// <summary>`med42 train`: opens the model and tokenizer named by <paramref name="o"/> and trains.</summary>
    public static TrainResult Run(TrainOptions o, IProgress<TrainProgress>? progress = null, CancellationToken ct = default, TrainingSetup? setup = null)
    {
        o.Validate();
        using var checkpoint = LlamaCheckpoint.Open(o.Model);
        var tokenizerPath = o.Tokenizer ?? ModelPath.Folder(o.Model);
        var tokenizer = TokenizerLoader.Load(tokenizerPath, checkpoint.Format == CheckpointFormat.Llama2c ? checkpoint.Config.VocabSize : null);
        return Run(o, checkpoint.Config, checkpoint.Weights, tokenizer, tokenizerPath, progress, ct, setup);
    }

    /// <summary>Trains a model already in memory (<paramref name="o"/>.Model is only recorded as the base model's name).</summary>
    /// <param name="setup">The backend and communicator to train with (default: one process on the CPU backend).</param>
    public static TrainResult Run(TrainOptions o, LlamaConfig config, ITensorStore weights, ITextTokenizer tokenizer, string? tokenizerSource,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default, TrainingSetup? setup = null)
    {
        o.Validate();
        setup ??= TrainingSetup.Default;
        var libraries = CustomOpLibraries(o);
        var data = PreparedData.Load(o.Data, tokenizer, config.VocabSize, o.ToDataOptions());
        var communicator = setup.Communicator;
        var writes = communicator.Rank == 0;
        // One rank judges and prepares --out: another rank checking later would take rank 0's first files for a previous run.
        if (writes) RunFolder.Prepare(o.Out, o.Resume, o.Force);
        communicator.Barrier();
        var artifacts = TrainingArtifacts.Build(config, weights, o.Mode, o.Mode.IsAdapter() ? o.Lora : null,
            new ArtifactOptions { Seed = o.Seed, GradientCheckpointing = o.GradientCheckpointing, Kernels = o.Kernels, Int4BlockSize = o.Int4BlockSize });
        var artDir = Path.Combine(o.Out, ArtifactsFolder);
        if (writes) artifacts.SaveModels(artDir);
        communicator.Barrier();
        var resumeFrom = o.Resume is null ? null : RunCheckpoints.Resolve(o.Resume);

        var shard = o.ShardOptimizer ? new OptimizerShard(communicator, artifacts.Parameters.Select(p => checked((int)p.ElementCount)).ToList()) : null;
        using var backend = setup.BackendFor(o.Device).Create(new TrainingBackendSpec
        {
            TrainingModel = Path.Combine(artDir, TrainingArtifacts.TrainingModelFile),
            EvalModel = data.Validation.Count > 0 ? Path.Combine(artDir, TrainingArtifacts.EvalModelFile) : null,
            Settings = new SessionSettings { Device = o.Device, Threads = o.Threads, CustomOpLibraries = libraries },
            State = TrainingState.Fresh(artifacts.Parameters, artifacts.InitialParameters, shard),
            OptimizerShard = shard,
            BatchSize = o.BatchSize, SeqLen = o.SeqLen, DropoutMasks = artifacts.DropoutMasks, Recomputes = o.GradientCheckpointing,
        });
        foreach (var notice in backend.Notices) setup.Notices?.Report(notice);
        var checkpoints = new RunCheckpoints(Path.Combine(o.Out, CheckpointsFolder), o.KeepLast, communicator);
        var start = resumeFrom is null ? new TrainerState { DropoutRng = o.Seed ^ 0xD20F_0D20_F0D2UL } : checkpoints.Resume(resumeFrom, backend);
        var loader = new DataLoader(data.Train, o.BatchSize, o.SeqLen, o.Packing, o.Seed, o.Shuffle) { State = new LoaderState(start.Epoch, start.Row) };
        // A step takes batch × grad_accum × ranks rows (the global batch).
        var total = o.MaxSteps ?? o.Epochs * (int)Math.Ceiling(loader.BatchesPerEpoch / (double)(o.GradAccum * communicator.WorldSize));

        var run = new TrainingLoop(o, backend, communicator, loader, checkpoints, start, total, data.Validation, config.VocabSize);
        using (var metrics = writes ? new MetricsLog(Path.Combine(o.Out, MetricsFile)) : null)
            run.Steps(metrics, writes ? progress : null, ct);

        var final = checkpoints.LastSavedStep == total ? checkpoints.LastSavedState! : backend.ExportState();
        var output = writes ? WriteOutput(o, config, weights, final, tokenizerSource) : OutputFolder(o);
        communicator.Barrier();
        return new TrainResult(total, run.LastLoss, run.EvalLoss, output, checkpoints.Last, data.Stats, run.LossHistory);
    }

    // The trained parameters as an HF folder (full fine-tuning) or a PEFT adapter folder (LoRA, QLoRA).
    private static string WriteOutput(TrainOptions o, LlamaConfig config, ITensorStore baseWeights, TrainingState state, string? tokenizerSource)
    {
        var folder = OutputFolder(o);
        if (o.Mode == TrainingMode.Full)
        {
            HfFolderWriter.Save(folder, config, state.ToStore(), DType.F32, tokenizerSource: tokenizerSource, overwrite: true, chatTemplate: ChatTemplate.JinjaFor(o.Template));
            return folder;
        }
        // A single-file base (llama2.c .bin, GGUF) is written beside the adapter as an HF folder PEFT can load.
        var baseModel = PeftBaseModel.Resolve(o.Model, Path.Combine(o.Out, PeftBaseModel.FolderName), config, baseWeights, tokenizerSource, ChatTemplate.JinjaFor(o.Template), overwrite: true);
        PeftAdapter.Write(folder, config, o.Lora, state.ToStore(), baseModel, force: true);
        return folder;
    }

    private static string OutputFolder(TrainOptions o) => Path.Combine(o.Out, o.Mode == TrainingMode.Full ? ModelFolder : AdapterFolder);

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
}
