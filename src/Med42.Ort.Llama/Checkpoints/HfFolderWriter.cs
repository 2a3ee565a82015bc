// Saves a Llama as a Hugging Face folder: config.json, generation_config.json, model.safetensors
// (or shards + index, as save_pretrained does) in the requested dtype, and tokenizer files when a
// source is given (completed to tokenizer.model + tokenizer.json + tokenizer_config.json with a chat
// template + special_tokens_map.json). The folder is built under a temporary sibling name and renamed into place, so a
// crash never leaves a half-written checkpoint. Training output and `med42 convert` use it.
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama.Checkpoints;

public static class HfFolderWriter
{
    public const long DefaultShardBytes = 5L * 1000 * 1000 * 1000; // transformers' max_shard_size="5GB"
    public static IReadOnlyList<string> TokenizerFiles => HfTokenizerFolder.Files;

    /// <summary>
    /// Writes the folder <paramref name="dir"/>. Weights follow WeightLayout.For(config) order and are
    /// converted to <paramref name="dtype"/> (F32, F16 or BF16). <paramref name="tokenizerSource"/> is a
    /// tokenizer file (copied as tokenizer.model when it is a SentencePiece .model) or folder; the HF
    /// tokenizer files found beside it are copied and the missing ones derived from tokenizer.model
    /// (HfTokenizerFolder), with <paramref name="chatTemplate"/> in tokenizer_config.json. An existing
    /// non-empty <paramref name="dir"/> is replaced only when <paramref name="overwrite"/> is set.
    /// </summary>
    public static void Save(string dir, LlamaConfig config, ITensorStore weights, DType dtype,
        long shardBytes = DefaultShardBytes, string? tokenizerSource = null, bool overwrite = false, string? chatTemplate = null)
    {
        config.Validate(weights.Source);
        LlamaCheckpoint.Validate(config, weights);
        HfConfigJson.TorchDtype(dtype); // rejects non-weight dtypes early
        OutputFolder.Write(dir, overwrite, tmp =>
        {
            HfConfigJson.Write(Path.Combine(tmp, HfConfigJson.ConfigFileName), config, dtype);
            HfConfigJson.WriteGenerationConfig(Path.Combine(tmp, HfConfigJson.GenerationConfigFileName), config);
            var sources = WeightLayout.For(config).Select(spec => Converted(weights, spec.Name, dtype)).ToList();
            // transformers refuses safetensors weights without format metadata ("pt").
            SafetensorsWriter.WriteSharded(tmp, sources, shardBytes, new Dictionary<string, string> { ["format"] = "pt" });
            if (tokenizerSource is not null) HfTokenizerFolder.Write(tokenizerSource, tmp, config.VocabSize, config.MaxPositionEmbeddings, chatTemplate);
        });
    }

    /// <summary>A tensor converted to <paramref name="dtype"/> (raw copy when it already is).</summary>
    public static TensorSource Converted(ITensorStore weights, string name, DType dtype)
    {
        var info = weights.Info(name);
        if (info.DType == dtype) return TensorSource.From(weights, info);
        return new TensorSource(info with { DType = dtype }, s =>
        {
            var values = weights.ReadFloat32(name);
            var raw = new byte[values.LongLength * dtype.Size()];
            FloatConvert.FromFloat32(dtype, values, raw);
            // A finite float32 beyond ±65504 becomes ±Inf in F16: refuse rather than write it.
            FiniteCheck.Require(dtype, raw, weights.Source, $"{name} (as {dtype})");
            s.Write(raw);
        });
    }
}
