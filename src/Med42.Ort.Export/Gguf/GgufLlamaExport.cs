// Exports a Llama checkpoint (any ITensorStore under HF names: a checkpoint, a merged LoRA store, random
// weights) as a llama.cpp GGUF, the way convert_hf_to_gguf.py's LlamaModel writes it:
//   metadata   general.architecture = llama, general.name, llama.* hyper-parameters, general.file_type,
//              general.quantization_version, tokenizer.ggml.* (GgufVocabulary), tokenizer.chat_template
//   tensors    WeightLayout order under GGUF names (GgufTensorNames); q/k rows taken back from HF's
//              halves order to the interleaved rotary order llama.cpp's LLAMA rope expects
//              (LlamaModel.permute; GgufLlama undoes it on read); no output.weight when tied;
//              types by GgufQuants.TypeFor
// Streamed tensor by tensor (one tensor in memory) into a temporary sibling that is renamed at the end.
// Tests: tests/Med42.Ort.Export.Tests/Gguf/ (llama.cpp through LLamaSharp is the oracle).
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Chat;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Export.Gguf;

public sealed record GgufExportOptions
{
    public GgufQuant Quant { get; init; } = GgufQuant.F32;
    /// <summary>general.name.</summary>
    public string Name { get; init; } = "llama";
    /// <summary>tokenizer.chat_template (Jinja); null writes none.</summary>
    public string? ChatTemplate { get; init; } = Med42ChatTemplate.Jinja;
    /// <summary>Replace an existing non-empty output.</summary>
    public bool Force { get; init; }
}

public static class GgufLlamaExport
{
    /// <summary>The file written inside an output folder.</summary>
    public const string FileName = "model.gguf";
    /// <summary>GGML_QNT_VERSION, the block-format version of Q4_0/Q8_0 (general.quantization_version).</summary>
    public const uint QuantizationVersion = 2;

    /// <summary>
    /// Writes <paramref name="outPath"/>: a file when it ends in .gguf, else a folder holding model.gguf.
    /// Returns the path of the .gguf written.
    /// </summary>
    public static string Export(string outPath, LlamaConfig config, ITensorStore weights, GgufVocabulary vocabulary, GgufExportOptions options, CancellationToken cancellationToken = default)
    {
        config.Validate(weights.Source);
        LlamaCheckpoint.Validate(config, weights);
        vocabulary.Checked(config);
        CheckWritable(outPath, options.Force);
        void Into(string file)
        {
            using var fs = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            Write(fs, config, weights, vocabulary, options, cancellationToken);
        }
        if (!IsFilePath(outPath))
        {
            OutputFolder.Write(outPath, options.Force, tmp => Into(Path.Combine(tmp, FileName)));
            return Path.Combine(outPath, FileName);
        }
        var full = Path.GetFullPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmpFile = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        try
        {
            Into(tmpFile);
            File.Move(tmpFile, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmpFile)) File.Delete(tmpFile);
        }
        return outPath;
    }

    public static bool IsFilePath(string outPath) => outPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase);

    /// <summary>Refuses a non-empty output (file or folder) unless <paramref name="force"/>; call before any work.</summary>
    public static void CheckWritable(string outPath, bool force)
    {
        if (!IsFilePath(outPath))
        {
            OutputFolder.CheckWritable(outPath, force);
            return;
        }
        if (Directory.Exists(outPath)) throw new Med42Exception($"{outPath}: output path is a folder, not a .gguf file");
        if (!force && File.Exists(outPath) && new FileInfo(outPath).Length > 0)
            throw new Med42Exception($"{outPath}: output file exists and is not empty (pass --force to replace it)");
    }

    /// <summary>The tensors of the file, in order, with their GGUF names, row-major shapes and types.</summary>
    public static IReadOnlyList<(WeightSpec Weight, GgufTensorSpec Tensor)> Plan(LlamaConfig config, GgufQuant quant) =>
        [.. WeightLayout.For(config).Select(w => (w, new GgufTensorSpec(GgufTensorNames.For(w), w.Shape, GgufQuants.TypeFor(w, quant))))];

    /// <summary>Every metadata key/value of the file, in the order written.</summary>
    public static GgufMetadata Metadata(LlamaConfig config, GgufVocabulary vocabulary, GgufExportOptions options)
    {
        var m = new GgufMetadata()
            .String("general.architecture", "llama")
            .String("general.name", options.Name)
            .U32("llama.vocab_size", (uint)config.VocabSize)
            .U32("llama.context_length", (uint)config.MaxPositionEmbeddings)
            .U32("llama.embedding_length", (uint)config.HiddenSize)
            .U32("llama.block_count", (uint)config.NumHiddenLayers)
            .U32("llama.feed_forward_length", (uint)config.IntermediateSize)
            .U32("llama.rope.dimension_count", (uint)config.HeadDim)
            .U32("llama.attention.head_count", (uint)config.NumAttentionHeads)
            .U32("llama.attention.head_count_kv", (uint)config.NumKeyValueHeads)
            .F32("llama.attention.layer_norm_rms_epsilon", (float)config.RmsNormEps)
            .F32("llama.rope.freq_base", (float)config.RopeTheta)
            .U32("general.file_type", GgufQuants.FileType(options.Quant))
            .U32("general.quantization_version", QuantizationVersion);
        vocabulary.AddTo(m, options.ChatTemplate);
        return m;
    }

    /// <summary>Writes the whole GGUF to <paramref name="output"/> (no validation, no temporary file: see <see cref="Export"/>).</summary>
    public static void Write(Stream output, LlamaConfig config, ITensorStore weights, GgufVocabulary vocabulary, GgufExportOptions options, CancellationToken cancellationToken = default)
    {
        var plan = Plan(config, options.Quant);
        var byName = plan.ToDictionary(p => p.Tensor.Name, p => p.Weight, StringComparer.Ordinal);
        GgufWriter.Write(output, Metadata(config, vocabulary, options), [.. plan.Select(p => p.Tensor)], (tensor, stream) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            GgufWriter.WriteFloats(stream, tensor, GgufValues(config, weights, byName[tensor.Name]));
        });
    }

    /// <summary>One weight as float32 in GGUF's layout: checked finite, q/k rows in the interleaved rotary order.</summary>
    public static float[] GgufValues(LlamaConfig config, ITensorStore weights, WeightSpec spec)
    {
        var values = weights.ReadFloat32(spec.Name);
        for (var i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw Med42Exception.At(weights.Source, $"tensor '{spec.Name}'", $"element {i} is {values[i]}: refusing to export a non-finite weight");
        var heads = GgufTensorNames.RotaryHeads(spec, config);
        if (heads == 0) return values;
        var permuted = new float[values.Length];
        RotaryPermutation.HalvesToInterleaved(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(permuted.AsSpan()), heads, config.HeadDim, (int)spec.Shape[1] * sizeof(float));
        return permuted;
    }
}
