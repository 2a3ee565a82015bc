// Exports a Llama checkpoint as an ONNX Runtime GenAI model folder:
//   model.onnx (+ model.onnx.data)   the decoder of DecodingGraphBuilder, plain ops or GroupQueryAttention (GenAI's names),
//                                    fp32 or fp16, projections optionally int4 (MatMulNBits)
//   genai_config.json                GenAiConfig (past_present_share_buffer: false for the plain decoder
//                                    (present = concat(past, new)), true for GroupQueryAttention)
//   tokenizer.json, tokenizer_config.json, special_tokens_map.json (+ tokenizer.model)
// Written into a temporary folder and renamed (OutputFolder). Test: tests/Med42.Ort.Export.Tests/GenAi/GenAiFolderTests.cs.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.IO;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Int4;

namespace Med42.Ort.Export.GenAi;

public sealed record GenAiExportOptions
{
    /// <summary>F32 or F16 (weights, activations and KV cache; logits stay F32).</summary>
    public DType DType { get; init; } = DType.F32;
    /// <summary>Quantise the projections to int4 (null = keep float).</summary>
    public Int4Options? Int4 { get; init; }
    /// <summary>Plain or Gqa (GenAI decoders keep a KV cache).</summary>
    public AttentionKind Attention { get; init; } = AttentionKind.Plain;
    /// <summary>Stop ids besides EOS (llama2.c models: BOS).</summary>
    public IReadOnlyList<int> ExtraStopIds { get; init; } = [];
    public bool Force { get; init; }
    /// <summary>Initializers of at least this many bytes go to model.onnx.data.</summary>
    public long ExternalDataThreshold { get; init; } = 1024;
    /// <summary>Projections whose LoRA A/B become graph inputs (LoraInputLinear) for ONNX Runtime's LoRA API; null = none.</summary>
    public IReadOnlyList<string>? LoraInputTargets { get; init; }
}

public static class GenAiFolder
{
    public const string ModelFile = "model.onnx";

    public static void Export(string outDir, LlamaConfig config, ITensorStore weights, TokenizerSource tokenizer, GenAiExportOptions options)
    {
        if (options.DType is not (DType.F32 or DType.F16)) throw new Med42Exception($"--dtype: GenAI export supports fp32 or fp16, not {options.DType}");
        options.Attention.ForDecoding();                      // refuses a kind without a KV cache before anything is written
        config.Validate(weights.Source);
        Llama.Checkpoints.LlamaCheckpoint.Validate(config, weights);
        OutputFolder.Write(outDir, options.Force, tmp => WriteInto(tmp, config, weights, tokenizer, options));
    }

    /// <summary>Writes the folder's files into the (temporary) folder <paramref name="dir"/>; returns the decoder graph.</summary>
    public static Graph.Ir.IrGraph WriteInto(string dir, LlamaConfig config, ITensorStore weights, TokenizerSource tokenizer, GenAiExportOptions options)
    {
        var graph = BuildGraph(config, weights, options);
        OnnxExport.Save(graph, dir, ModelFile, new OnnxExportOptions { ExternalDataThreshold = options.ExternalDataThreshold });
        // GQA writes present into the past buffer (GenAI allocates it at max_length); the plain decoder concatenates.
        GenAiConfig.Write(Path.Combine(dir, GenAiConfig.FileName), config, ModelFile, pastPresentShareBuffer: options.Attention == AttentionKind.Gqa, options.ExtraStopIds);
        tokenizer.WriteTo(dir, config.MaxPositionEmbeddings);
        return graph;
    }

    /// <summary>The decoder graph the folder holds (also used by tests and the benchmark in memory).</summary>
    public static Graph.Ir.IrGraph BuildGraph(LlamaConfig config, ITensorStore weights, GenAiExportOptions options)
    {
        ILinearFactory linear = options.Int4 is { } q ? new Int4Linear(weights, q) : PlainLinear.Instance;
        var head = options.Int4 is { QuantizeHead: true } ? linear : PlainLinear.Instance;
        if (options.LoraInputTargets is { } targets) linear = new Adapters.LoraInputLinear(linear, targets);
        return new DecodingGraphBuilder(config, Precision.Of(options.DType), options.Attention.ForDecoding(), linear: linear, headLinear: head).Build(weights);
    }
}
