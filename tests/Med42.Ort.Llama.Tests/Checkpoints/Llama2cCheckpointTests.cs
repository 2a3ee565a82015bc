// llama2.c version-0 checkpoints: stories260K facts from shared/data/MANIFEST.md §1.1 (read here with
// plain BinaryReader offsets, independent of the loader), size checks, and bitwise round trips
// llama2.c <-> HF folder.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class Llama2cCheckpointTests
{
    internal static readonly LlamaConfig Stories260K = new()
    {
        HiddenSize = 64, IntermediateSize = 172, NumHiddenLayers = 5, NumAttentionHeads = 8, NumKeyValueHeads = 4,
        VocabSize = 512, MaxPositionEmbeddings = 512, TieWordEmbeddings = true, RmsNormEps = 1e-5, RopeTheta = 10000,
    };

    private static string StoriesPath => SharedData.Path("models/stories260K/stories260K.bin");

    private static float[] FileFloats(string path, long floatOffset, int count)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        r.BaseStream.Position = 28 + 4 * floatOffset;
        return [.. Enumerable.Range(0, count).Select(_ => r.ReadSingle())];
    }

    [SkippableFact]
    public void Stories260KLoadsWithTheManifestConfig()
    {
        var (config, weights) = Llama2cCheckpoint.Read(StoriesPath);
        Assert.Equal(Stories260K, config);
        Assert.Equal(260032, weights.Tensors.Sum(t => t.ElementCount));
        Assert.All(weights.Tensors, t => Assert.Equal(DType.F32, t.DType));
        // token_embedding_table is the first array; rms_final follows w3 (MANIFEST §1.1 table).
        Assert.Equal(FileFloats(StoriesPath, 0, 512 * 64), weights.ReadFloat32(WeightLayout.Embedding));
        var finalNorm = 32768 + 320 + 20480 + 10240 + 10240 + 20480 + 320 + 3 * 55040;
        Assert.Equal(FileFloats(StoriesPath, finalNorm, 64), weights.ReadFloat32(WeightLayout.FinalNorm));
    }

    [SkippableFact]
    public void WqAndWkRowsAreInHfHalvesOrder()
    {
        var (config, weights) = Llama2cCheckpoint.Read(StoriesPath);
        const int d = 8, c = 64;
        var wqFile = FileFloats(StoriesPath, 32768 + 320 + 64 * c, 64 * c);         // layer 1 of wq
        var wkFile = FileFloats(StoriesPath, 32768 + 320 + 5 * 64 * c, 32 * c);     // layer 0 of wk (after 5 wq layers)
        var wq = weights.ReadFloat32(WeightLayout.Projection(1, "q_proj"));
        var wk = weights.ReadFloat32(WeightLayout.Projection(0, "k_proj"));
        // HF row h*D + j*(D/2) + i holds Meta row h*D + 2i + j (convert_llama_weights_to_hf.py permute).
        foreach (var (hf, meta, heads) in new[] { (wq, wqFile, 8), (wk, wkFile, 4) })
            for (var h = 0; h < heads; h++)
                for (var i = 0; i < d / 2; i++)
                    for (var j = 0; j < 2; j++)
                        Assert.Equal(meta.AsSpan((h * d + 2 * i + j) * c, c).ToArray(), hf.AsSpan((h * d + j * (d / 2) + i) * c, c).ToArray());
        Assert.Equal(8, config.HeadDim);
    }

    [SkippableFact]
    public void FileSizeMustMatchTheHeader()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(StoriesPath);
        foreach (var size in new[] { bytes.Length - 4, bytes.Length + 3 })
        {
            var path = dir.File($"cut{size}.bin");
            File.WriteAllBytes(path, size < bytes.Length ? bytes[..size] : [.. bytes, 0, 0, 0]);
            var ex = Assert.Throws<Med42Exception>(() => Llama2cCheckpoint.Read(path));
            Assert.Equal($"{path}: file size: the header (dim 64, hidden_dim 172, n_layers 5, n_heads 8, n_kv_heads 4, vocab_size 512, seq_len 512) implies 1056540 bytes but the file has {size} bytes", ex.Message);
        }
    }

    [Fact]
    public void FileShorterThanTheHeaderIsRejected()
    {
        using var dir = new TempDir();
        var path = dir.File("tiny.bin");
        File.WriteAllBytes(path, new byte[10]);
        var ex = Assert.Throws<Med42Exception>(() => Llama2cCheckpoint.Read(path));
        Assert.Equal($"{path}: byte 0: file is 10 bytes, shorter than the 28-byte llama2.c header (truncated?)", ex.Message);
    }

    [SkippableFact]
    public void WritingBackReproducesTheFileBytes()
    {
        using var dir = new TempDir();
        var (config, weights) = Llama2cCheckpoint.Read(StoriesPath);
        var path = dir.File("back.bin");
        Llama2cCheckpoint.Write(path, config, weights);
        var original = File.ReadAllBytes(StoriesPath);
        var written = File.ReadAllBytes(path);
        Assert.Equal(original.Length, written.Length);
        // Everything but the legacy freq_cis tables (2 x 512 x 4 floats before EOF; run.c ignores them) is bitwise equal.
        var freqStart = original.Length - 2 * 512 * 4 * 4;
        Assert.True(original.AsSpan(0, freqStart).SequenceEqual(written.AsSpan(0, freqStart)));
        // freq_cis is recomputed: PyTorch's vectorised cos/sin are not correctly rounded (cos(1) is stored as
        // 0.54030234 where float32 rounding gives 0.54030228), so allow 2 ulp at 1.0 = 1.2e-7.
        var a = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(original.AsSpan(freqStart));
        var b = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(written.AsSpan(freqStart));
        for (var i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1.2e-7, $"freq_cis[{i}]: {a[i]} vs {b[i]}");
        var (_, back) = Llama2cCheckpoint.Read(path);
        foreach (var t in weights.Tensors) Assert.Equal(weights.ReadBytes(t.Name), back.ReadBytes(t.Name));
    }

    [SkippableFact]
    public void ToHfFolderAndBackIsBitwise()
    {
        using var dir = new TempDir();
        var (config, weights) = Llama2cCheckpoint.Read(StoriesPath);
        var folder = Path.Combine(dir.Path, "hf");
        HfFolderWriter.Save(folder, config, weights, DType.F32);
        using var hf = LlamaCheckpoint.Open(folder);
        Assert.Equal(config, hf.Config);
        Assert.Equal(weights.Tensors, hf.Weights.Tensors);
        foreach (var t in weights.Tensors) Assert.Equal(weights.ReadBytes(t.Name), hf.Weights.ReadBytes(t.Name));
        // And HF -> llama2.c .bin -> load gives the original tensor bytes again.
        var bin = dir.File("again.bin");
        Llama2cCheckpoint.Write(bin, hf.Config, hf.Weights);
        var (_, again) = Llama2cCheckpoint.Read(bin);
        foreach (var t in weights.Tensors) Assert.Equal(weights.ReadBytes(t.Name), again.ReadBytes(t.Name));
    }

    [Fact]
    public void UntiedClassifierIsWrittenAfterFreqCisWithNegativeVocab()
    {
        using var dir = new TempDir();
        var config = new LlamaConfig
        {
            HiddenSize = 12, IntermediateSize = 7, NumHiddenLayers = 2, NumAttentionHeads = 3, NumKeyValueHeads = 1,
            VocabSize = 9, MaxPositionEmbeddings = 5, TieWordEmbeddings = false,
        };
        var weights = TinyLlama.Create(config, seed: 5);
        var path = dir.File("untied.bin");
        Llama2cCheckpoint.Write(path, config, weights);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(-9, BitConverter.ToInt32(bytes, 20));
        // Independent size: 28 + 4 * (V*C + L*(C + C*C + 2*C*kv + C*C + C + 3*C*F) + C + 2*seq*D/2 + V*C), kv = 4, D = 4.
        Assert.Equal(28 + 4 * (9 * 12 + 2 * (12 + 144 + 2 * 12 * 4 + 144 + 12 + 3 * 12 * 7) + 12 + 2 * 5 * 2 + 9 * 12), bytes.Length);
        Assert.Equal(weights.ReadBytes(WeightLayout.LmHead), bytes[^(4 * 9 * 12)..]);
        var (back, store) = Llama2cCheckpoint.Read(path);
        Assert.Equal(config with { RmsNormEps = 1e-5, RopeTheta = 10000 }, back);
        foreach (var t in weights.Tensors) Assert.Equal(weights.ReadBytes(t.Name), store.ReadBytes(t.Name));
    }
}
