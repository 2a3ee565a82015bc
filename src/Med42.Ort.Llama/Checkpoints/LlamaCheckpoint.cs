// Opens any supported Llama checkpoint: a Hugging Face folder (config.json + model.safetensors or
// model.safetensors.index.json), a llama2.c version-0 .bin, or a .gguf. PyTorch pickle checkpoints
// are refused (unpickling executes arbitrary code). The weights are checked against
// WeightLayout.For(config): every tensor present with the right shape and a float dtype.
// Tests: tests/Med42.Ort.Llama.Tests/Checkpoints/LlamaCheckpointTests.cs.
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama.Checkpoints;

public enum CheckpointFormat { HuggingFace, Llama2c, Gguf }

public sealed class LlamaCheckpoint : IDisposable
{
    public required LlamaConfig Config { get; init; }
    /// <summary>Weights under HF names, HF rotary order; owned by this checkpoint.</summary>
    public required ITensorStore Weights { get; init; }
    /// <summary>The path opened.</summary>
    public required string Source { get; init; }
    public required CheckpointFormat Format { get; init; }

    public void Dispose() => Weights.Dispose();

    public static LlamaCheckpoint Open(string path)
    {
        if (Directory.Exists(path)) return OpenFolder(path);
        if (!File.Exists(path) && new FileInfo(path).LinkTarget is null) throw new Med42Exception($"{path}: no such file or folder");
        Core.IO.InputFile.Resolve(path, "checkpoint");
        RefuseIfPickle(path);
        var magic = ReadMagic(path);
        if (path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || magic.AsSpan().StartsWith("GGUF"u8))
        {
            var gguf = GgufLlama.Open(path);
            return Checked(new LlamaCheckpoint { Config = gguf.Config, Weights = gguf, Source = path, Format = CheckpointFormat.Gguf });
        }
        if (Path.GetFileName(path) is "config.json" || path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".safetensors.index.json", StringComparison.OrdinalIgnoreCase))
            return OpenFolder(ModelPath.Folder(path));
        var (config, weights) = Llama2cCheckpoint.Read(path);
        return Checked(new LlamaCheckpoint { Config = config, Weights = weights, Source = path, Format = CheckpointFormat.Llama2c });
    }

    private static LlamaCheckpoint OpenFolder(string dir)
    {
        var configPath = Path.Combine(dir, HfConfigJson.ConfigFileName);
        var single = Path.Combine(dir, "model.safetensors");
        var index = Path.Combine(dir, SafetensorsWriter.IndexFileName);
        if (!File.Exists(single) && !File.Exists(index))
        {
            foreach (var f in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal)) RefuseIfPickle(f);
            throw new Med42Exception($"{dir}: no model.safetensors or {SafetensorsWriter.IndexFileName} in this folder");
        }
        if (!File.Exists(configPath)) throw new Med42Exception($"{dir}: config.json is missing beside the safetensors weights");
        var config = HfConfigJson.Read(configPath);
        // The index wins when both exist: transformers prefers the sharded index too.
        ITensorStore weights = File.Exists(index) ? ShardedSafetensors.Open(index) : SafetensorsFile.Open(single);
        return Checked(new LlamaCheckpoint { Config = config, Weights = weights, Source = dir, Format = CheckpointFormat.HuggingFace });
    }

    private static LlamaCheckpoint Checked(LlamaCheckpoint c)
    {
        try { Validate(c.Config, c.Weights); }
        catch
        {
            c.Dispose();
            throw;
        }
        return c;
    }

    /// <summary>Every weight of the layout present, with its shape, in F32/F16/BF16; errors name the tensor and the file.</summary>
    public static void Validate(LlamaConfig config, ITensorStore weights)
    {
        // A store of N tensors holds at most N / 9 whole layers, so a missing tensor shows within the first
        // N / 9 + 1: checking only those keeps a corrupt layer count (16,777,218) from listing a hundred
        // million specs before the first one is found missing.
        var layers = (int)Math.Min(config.NumHiddenLayers, weights.Tensors.Count / 9L + 1);
        foreach (var spec in WeightLayout.For(config with { NumHiddenLayers = layers }))
        {
            if (!weights.Contains(spec.Name))
                throw Med42Exception.At(weights.Source, $"tensor '{spec.Name}'", $"missing tensor (expected shape [{string.Join(",", spec.Shape)}])");
            var info = weights.Info(spec.Name);
            if (!info.Shape.SequenceEqual(spec.Shape))
                throw Med42Exception.At(weights.Source, $"tensor '{spec.Name}'", $"shape {info.ShapeText} does not match the config's [{string.Join(",", spec.Shape)}]");
            if (info.DType is not (DType.F32 or DType.F16 or DType.BF16))
                throw Med42Exception.At(weights.Source, $"tensor '{spec.Name}'", $"dtype {info.DType} is not a supported weight type (F32, F16, BF16)");
        }
    }

    /// <summary>
    /// Refuses PyTorch checkpoints: pytorch_model*.bin, *.pt, *.pth, or a zip (torch.save) / pickle
    /// magic. llama2.c .bin files start with an int32 dim whose third byte is 0 for any dim below
    /// 65536, which a pickle (0x80, protocol 2..5, then an opcode) never has.
    /// </summary>
    public static void RefuseIfPickle(string path)
    {
        var name = Path.GetFileName(path);
        var magic = ReadMagic(path);
        var isZip = magic.Length >= 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] == 3 && magic[3] == 4;
        var isPickle = magic.Length >= 3 && magic[0] == 0x80 && magic[1] is >= 2 and <= 5 && magic[2] != 0;
        var byName = (name.StartsWith("pytorch_model", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
            || name.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".pth", StringComparison.OrdinalIgnoreCase);
        if (byName || isZip || isPickle)
            throw new Med42Exception(
                $"{path}: {(isZip ? "zip (torch.save) " : isPickle ? "pickle " : "")}PyTorch checkpoint refused: loading it means unpickling, which can run arbitrary code. " +
                "Convert it to safetensors first: in Python, load it with transformers (AutoModelForCausalLM.from_pretrained) and call " +
                "model.save_pretrained(out_dir, safe_serialization=True), then open out_dir.");
    }

    private static byte[] ReadMagic(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buf = new byte[(int)Math.Min(8, fs.Length)];
            fs.ReadExactly(buf);
            return buf;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Med42Exception($"{path}: cannot read: {e.Message}", e);
        }
    }
}
