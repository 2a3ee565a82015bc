// Training artifacts in ONNX Runtime Training's layout, runnable on the plain InferenceSession:
//   training_model.onnx  inputs: input_ids, segment_ids, position_ids [B,T] int64, labels [B,T] int64
//                        (already shifted: labels[t] is the target for position t, −100 = ignored),
//                        [lora_dropout_mask.{n} bool [B,T,in] when LoRA dropout > 0], every trainable
//                        parameter (float32, HF/PEFT name); frozen weights are initializers (external data).
//                        outputs: loss = Σ_t CE(logits[b,t], labels[b,t]) over non-ignored t (SUM, not mean),
//                        target_count = number of non-ignored labels, "<param>_grad" per trainable parameter
//                        (gradients of the SUM). The trainer divides by the target count summed over all
//                        micro-batches of a step, so accumulation weights every token equally.
//   eval_model.onnx      the same forward without gradients: loss, target_count, token_log_probs [B,T]
//                        (log p(labels[t]), 0 where ignored).
//   optimizer            AdamW runs fused in place over the resident float buffers: libmed42_native's
//                        m42_adamw_step when present, else the C# AdamW.cs (FusedAdamW.cs); no optimizer_model.onnx.
//   checkpoint/          params.safetensors, optimizer.safetensors (exp_avg./exp_avg_sq.), trainer_state.json.
// QLoRA (TrainingMode.Qlora): every frozen projection is quantised at build time (Int4Quantizer, symmetric,
// ArtifactOptions.Int4BlockSize) into a com.microsoft MatMulNBits (Int4Linear) under the LoRA branch; embeddings,
// norms and the LM head stay float32. Its backward dA = dY·DequantInt4(B, scales) (MatMulNBitsGrad) is an ai.med42
// custom op, so sessions of a QLoRA graph must register libmed42_ort_ops.
// Loss = −Σ log_softmax(logits)[label] over targets (labels ≠ −100), built from LogSoftmax, GatherElements,
// Where and ReduceSum rather than SoftmaxCrossEntropyLoss: ONNX Runtime registers that op's CUDA kernel only
// in training builds, so the inference CUDA EP would run the loss on CPU (see CudaOpCoverageTests). Its logits
// gradient is written out by hand (TokenCrossEntropy) and the rest is reverse mode from the logits.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Autodiff;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Int4;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Artifacts;

public enum TrainingMode { Full, Lora, Qlora }

public static class TrainingModes
{
    /// <summary>Trains LoRA adapters only (Lora and Qlora): parameters are A/B, the output is a PEFT adapter.</summary>
    public static bool IsAdapter(this TrainingMode mode) => mode is TrainingMode.Lora or TrainingMode.Qlora;
}

public sealed record ArtifactOptions
{
    /// <summary>Seed of the LoRA A initialisation.</summary>
    public ulong Seed { get; init; } = 42;
    /// <summary>Initializers of at least this many bytes go to external data when saved.</summary>
    public long ExternalDataThreshold { get; init; } = 1024;
    /// <summary>
    /// --gradient-checkpointing: the training graph recomputes each decoder layer's forward in the backward pass
    /// (LlamaGraph.DecoderLayerOf). Run it with TrainingSession's recompute flag, which disables ORT's
    /// common-subexpression elimination (it would merge the clones back into the forward nodes).
    /// </summary>
    public bool GradientCheckpointing { get; init; }
    /// <summary>--kernels: RMSNorm/rotary as ONNX composites or ai.med42 custom ops (sessions then register libmed42_ort_ops).</summary>
    public LlamaKernels Kernels { get; init; } = LlamaKernels.Onnx;
    /// <summary>QLoRA: block size of the int4 frozen base (16, 32, 64 or 128).</summary>
    public int Int4BlockSize { get; init; } = 32;
}

public sealed class TrainingArtifacts
{
    public const string TrainingModelFile = "training_model.onnx";
    public const string EvalModelFile = "eval_model.onnx";
    public const string CheckpointFolder = "checkpoint";
    public const string GradSuffix = "_grad";

    private TrainingArtifacts(LlamaConfig config, TrainingMode mode, LoraConfig? lora, IrGraph train, IrGraph eval,
        IReadOnlyList<WeightSpec> parameters, IReadOnlyList<(string Name, long Features)> masks, ITensorStore initial)
    {
        Config = config;
        Mode = mode;
        Lora = lora;
        TrainGraph = train;
        EvalGraph = eval;
        Parameters = parameters;
        DropoutMasks = masks;
        InitialParameters = initial;
    }

    public LlamaConfig Config { get; }
    public TrainingMode Mode { get; }
    public LoraConfig? Lora { get; }
    public IrGraph TrainGraph { get; }
    public IrGraph EvalGraph { get; }
    /// <summary>Trainable parameters (graph inputs), in the order of TrainGraph's gradient outputs.</summary>
    public IReadOnlyList<WeightSpec> Parameters { get; }
    /// <summary>LoRA dropout mask inputs of the training graph (bool [B,T,Features]).</summary>
    public IReadOnlyList<(string Name, long Features)> DropoutMasks { get; }
    /// <summary>Initial values of the trainable parameters (the base weights, or fresh LoRA A/B).</summary>
    public ITensorStore InitialParameters { get; }

    public static TrainingArtifacts Build(LlamaConfig config, ITensorStore baseWeights, TrainingMode mode, LoraConfig? lora = null, ArtifactOptions? options = null)
    {
        options ??= new ArtifactOptions();
        config.Validate(baseWeights.Source);
        if (mode.IsAdapter() && lora is null) throw new Core.Errors.Med42Exception($"lora: {mode} mode needs a LoRA config (rank, alpha, dropout, targets)");
        lora?.Validate();
        var int4 = mode == TrainingMode.Qlora ? new Int4Options { BlockSize = options.Int4BlockSize }.Validate("int4_block_size") : null;
        IReadOnlyList<WeightSpec> specs = mode == TrainingMode.Full
            ? WeightLayout.For(config)
            : LoraWeights.For(config, lora!);
        ITensorStore initial = mode == TrainingMode.Full ? baseWeights : LoraWeights.Initialize(config, lora!, options.Seed);
        var frozen = baseWeights;
        var trainable = specs.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        var (train, masks) = BuildGraph(config, frozen, trainable, mode, lora, int4, withGradients: true, specs, options.GradientCheckpointing, options.Kernels);
        var (eval, _) = BuildGraph(config, frozen, trainable, mode, lora, int4, withGradients: false, specs, recompute: false, options.Kernels);
        return new TrainingArtifacts(config, mode, lora, train, eval, specs, masks, initial);
    }

    private static (IrGraph, IReadOnlyList<(string, long)>) BuildGraph(LlamaConfig c, ITensorStore frozen, ISet<string> trainable,
        TrainingMode mode, LoraConfig? lora, Int4Options? int4, bool withGradients, IReadOnlyList<WeightSpec> specs, bool recompute, LlamaKernels kernels)
    {
        var b = new GraphBuilder(withGradients ? "training_model" : "eval_model");
        var binder = new TrainingWeightBinder(frozen, trainable);
        // QLoRA's frozen projections: MatMulNBits over int4 weights quantised from the base while the graph is saved.
        var baseLinear = int4 is null ? null : new Int4Linear(frozen, int4);
        var loraLinear = mode.IsAdapter() ? new LoraLinear(c, lora!, useDropout: withGradients, baseLinear) : null;
        // Adapter modes freeze the LM head: read it as stored (one copy of a tied embedding table, see TransBLinear).
        var head = mode.IsAdapter() ? TransBLinear.Instance : (ILinearFactory)PlainLinear.Instance;
        var logits = new TrainingGraphBuilder(c, kernels: kernels.Strategy(), linear: loraLinear, headLinear: head).Build(b, binder);   // [B,T,V]
        var labels = b.Input("labels", DType.I64, LlamaGraph.Batch, LlamaGraph.Sequence);
        TokenCrossEntropy ce;
        using (b.Scope("loss"))
        {
            ce = TokenCrossEntropy.Build(b, logits, labels);
            if (!withGradients) b.Output(ce.TokenLogProbs, "token_log_probs");
        }
        if (withGradients)
        {
            // Order the parameter inputs as the layout lists them, whatever order the blocks bound them in.
            var byName = binder.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var wrt = specs.Select(s => byName.TryGetValue(s.Name, out var v) ? v
                : throw new InvalidOperationException($"trainable '{s.Name}' is not used by the graph")).ToList();
            // Differentiate from the logits, seeded with the loss's hand-written logits gradient (TokenCrossEntropy).
            Value dLogits;
            using (b.Scope("loss"))
                dLogits = ce.LogitsGradient(b);
            var grads = Differentiator.Gradients(b, logits, wrt,
                new GradientOptions { Seed = dLogits, RecomputeGroup = recompute ? LlamaGraph.DecoderLayerOf : null });
            b.Output(ce.Loss, "loss");
            b.Output(ce.Count, "target_count");
            for (var i = 0; i < wrt.Count; i++)
                b.Output(grads[i] ?? throw new InvalidOperationException($"'{wrt[i].Name}' does not influence the loss"), wrt[i].Name + GradSuffix);
        }
        else
        {
            b.Output(ce.Loss, "loss");
            b.Output(ce.Count, "target_count");
        }
        return (b.Graph, loraLinear?.DropoutMasks ?? []);
    }

    /// <summary>Writes training_model.onnx, eval_model.onnx (frozen weights as external data) into <paramref name="outDir"/>.</summary>
    public void SaveModels(string outDir, ArtifactOptions? options = null)
    {
        var o = new OnnxExportOptions { ExternalDataThreshold = (options ?? new()).ExternalDataThreshold };
        OnnxExport.Save(TrainGraph, outDir, TrainingModelFile, o);
        OnnxExport.Save(EvalGraph, outDir, EvalModelFile, o);
    }

    /// <summary>
    /// `med42 export-artifacts`: builds the artifacts and writes the two models plus checkpoint/ (initial
    /// parameters, zero AdamW moments, trainer_state.json at step 0) into <paramref name="outDir"/>.
    /// </summary>
    public static TrainingArtifacts Export(LlamaConfig config, ITensorStore baseWeights, TrainingMode mode, LoraConfig? lora, ArtifactOptions? options, string outDir)
    {
        var a = Build(config, baseWeights, mode, lora, options);
        a.SaveModels(outDir, options);
        var state = TrainingState.Fresh(a.Parameters, a.InitialParameters);
        CheckpointIo.Save(Path.Combine(outDir, CheckpointFolder), state, new TrainerState { Step = 0 });
        return a;
    }
}
