// The enum-valued flags whose values are not a library enum's: their command-line spellings and what each
// means to the library.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;

namespace Med42.Ort.Cli.Options;

/// <summary>--dtype: the floating-point types a checkpoint or graph is written in.</summary>
internal enum DTypeChoice
{
    [CliName("fp32", "f32", "float32")] Fp32,
    [CliName("fp16", "f16", "float16")] Fp16,
    [CliName("bf16", "bfloat16")] Bf16,
}

/// <summary>export --format: the kinds of folder `med42 export` writes.</summary>
internal enum ExportFormat { Genai, Hf, Peft, OnnxAdapter, Gguf }

/// <summary>export --quant: the GGUF tensor types llama.cpp users name by ggml's spelling.</summary>
internal enum GgufQuantChoice
{
    [CliName("f32")] F32,
    [CliName("f16")] F16,
    [CliName("q8_0")] Q8_0,
    [CliName("q4_0")] Q4_0,
}

/// <summary>generate --attention: the decoder's attention, or auto (fused GroupQueryAttention where ONNX Runtime accepts the model, plain ops elsewhere).</summary>
internal enum AttentionChoice { Auto, Gqa, Plain }

/// <summary>eval --medmcqa-cop: the base of MedMCQA's correct-option field.</summary>
internal enum CopChoice
{
    Auto,
    [CliName("1", "one")] One,
    [CliName("0", "zero")] Zero,
}

/// <summary>bench --peer: the inference engine measured beside ours in the same run.</summary>
internal enum PeerChoice
{
    None,
    [CliName("llama.cpp", "llamacpp")] LlamaCpp,
}

internal static class Choices
{
    public static DType ToDType(this DTypeChoice c) => c switch
    {
        DTypeChoice.Fp16 => DType.F16,
        DTypeChoice.Bf16 => DType.BF16,
        _ => DType.F32,
    };

    public static GgufQuant ToGgufQuant(this GgufQuantChoice c) => c switch
    {
        GgufQuantChoice.F16 => GgufQuant.F16,
        GgufQuantChoice.Q8_0 => GgufQuant.Q8_0,
        GgufQuantChoice.Q4_0 => GgufQuant.Q4_0,
        _ => GgufQuant.F32,
    };

    public static Med42.Ort.Bench.BenchPeer ToBenchPeer(this PeerChoice c) => c == PeerChoice.LlamaCpp ? Med42.Ort.Bench.BenchPeer.LlamaCpp : Med42.Ort.Bench.BenchPeer.None;

    public static CopBase ToCopBase(this CopChoice c) => c switch
    {
        CopChoice.One => CopBase.OneBased,
        CopChoice.Zero => CopBase.ZeroBased,
        _ => CopBase.Auto,
    };

    /// <summary>Auto: GroupQueryAttention wherever ONNX Runtime accepts it for this model and device (GqaSupport), plain ops elsewhere;
    /// gqa where it cannot run is refused with the reason rather than failing inside ONNX Runtime.</summary>
    public static AttentionKind ToAttentionKind(this AttentionChoice c, LlamaConfig config, Device device) => c switch
    {
        AttentionChoice.Auto => GqaSupport.Auto(config, device),
        AttentionChoice.Gqa => GqaSupport.WhyNot(config, device) is { } why
            ? throw new Med42Exception($"--attention gqa: {why}; use --attention plain or auto")
            : AttentionKind.Gqa,
        _ => AttentionKind.Plain,
    };
}
