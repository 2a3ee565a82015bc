// Saves a Llama as a Hugging Face folder: config.json, generation_config.json, model.safetensors
// (or shards + index, as save_pretrained does) in the requested dtype, and tokenizer files when a
// source is given. The folder is built under a temporary sibling name and renamed into place, so a
// crash never leaves a half-written checkpoint. Training output and `med42 convert` use it.
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama.Checkpoints;

public static class HfFolderWriter
{
    public const long DefaultShardBytes = 5L * 1000 * 1000 * 1000; // transformers' max_shard_size="5GB"
    public static readonly string[] TokenizerFiles = ["tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

    /// <summary>
    /// Writes the folder <paramref name="dir"/>. Weights follow WeightLayout.For(config) order and are
    /// converted to <paramref name="dtype"/> (F32, F16 or BF16). <paramref name="tokenizerSource"/> is a
    /// tokenizer file (copied as tokenizer.model when it is a SentencePiece .model) or folder; the HF
    /// tokenizer files found beside it are copied. An existing non-empty <paramref name="dir"/> is
    /// replaced only when <paramref name="overwrite"/> is set. <paramref name="finish"/> writes further files into
    /// the temporary folder before it is renamed (derived tokenizer files), so they are part of the atomic folder.
    /// </summary>
    public static void Save(string dir, LlamaConfig config, ITensorStore weights, DType dtype,
        long shardBytes = DefaultShardBytes, string? tokenizerSource = null, bool overwrite = false, Action<string>? finish = null)
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
            if (tokenizerSource is not null) CopyTokenizer(tokenizerSource, tmp);
            finish?.Invoke(tmp);
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

    private static void CopyTokenizer(string source, string destDir)
    {
        string folder;
        if (File.Exists(source))
        {
            folder = Path.GetDirectoryName(Path.GetFullPath(source))!;
            var name = Path.GetFileName(source);
            // A SentencePiece model under another name (tok512.model) becomes tokenizer.model.
            var target = name.EndsWith(".model", StringComparison.OrdinalIgnoreCase) ? "tokenizer.model"
                : TokenizerFiles.Contains(name) ? name : null;
            if (target is null) throw new Med42Exception($"{source}: not a tokenizer file ({string.Join(", ", TokenizerFiles)} or a SentencePiece .model)");
            File.Copy(source, Path.Combine(destDir, target), overwrite: true);
        }
        else if (Directory.Exists(source)) folder = source;
        else throw new Med42Exception($"{source}: tokenizer source not found");
        foreach (var f in TokenizerFiles)
        {
            var path = Path.Combine(folder, f);
            if (File.Exists(path) && !File.Exists(Path.Combine(destDir, f))) File.Copy(path, Path.Combine(destDir, f));
        }
    }
}
