// TinyLlama: deterministic weights, sane statistics, and
// HfFolderWriter output (files, tokenizer copy, atomic refusal to clobber).
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class TinyLlamaTests
{
    private static readonly LlamaConfig Config = new()
    {
        HiddenSize = 16, IntermediateSize = 40, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 300, MaxPositionEmbeddings = 64, TieWordEmbeddings = true,
    };

    [Fact]
    public void SameSeedSameBytesOtherSeedOtherBytes()
    {
        var a = TinyLlama.Create(Config, seed: 1);
        var b = TinyLlama.Create(Config, seed: 1);
        var c = TinyLlama.Create(Config, seed: 2);
        Assert.Equal(WeightLayout.For(Config).Select(w => w.Name), a.Tensors.Select(t => t.Name));
        foreach (var t in a.Tensors) Assert.Equal(a.ReadBytes(t.Name), b.ReadBytes(t.Name));
        Assert.NotEqual(a.ReadBytes(WeightLayout.Embedding), c.ReadBytes(WeightLayout.Embedding));
    }

    [Fact]
    public void WeightsHaveTheRequestedStatistics()
    {
        var w = TinyLlama.Create(Config, seed: 3, std: 0.05f);
        var emb = w.ReadFloat32(WeightLayout.Embedding).Select(x => (double)x).ToArray();
        var mean = emb.Average();
        var std = Math.Sqrt(emb.Sum(x => (x - mean) * (x - mean)) / emb.Length);
        // 4800 samples: the sample std of N(0, 0.05) is within ~2% (4 sigma of its 1% standard error).
        Assert.InRange(std, 0.05 * 0.96, 0.05 * 1.04);
        Assert.InRange(mean, -0.003, 0.003); // 4 standard errors (0.05 / sqrt(4800) = 0.0007)
        var norm = w.ReadFloat32(WeightLayout.FinalNorm);
        Assert.All(norm, x => Assert.InRange(x, 0.7f, 1.3f)); // 1 + N(0, 0.05): 6 sigma
        Assert.Contains(norm, x => x != 1f);
    }

    [SkippableFact]
    public void SaveWritesConfigWeightsAndTokenizer()
    {
        var tok = SharedData.Path("models/stories260K/tok512.model");
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "out");
        HfFolderWriter.Save(folder, Config, TinyLlama.Create(Config, 4), DType.F16, tokenizerSource: tok);
        // A complete HF tokenizer: the SentencePiece model plus the files transformers' AutoTokenizer reads, derived from it.
        Assert.Equal(["config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllBytes(tok), File.ReadAllBytes(Path.Combine(folder, "tokenizer.model")));
        Assert.Contains("\"torch_dtype\": \"float16\"", File.ReadAllText(Path.Combine(folder, "config.json")));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path)); // the temp folder is gone
    }

    [Fact]
    public void SaveRefusesANonEmptyFolderUnlessOverwriting()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("keep.txt"), "x");
        var ex = Assert.Throws<Med42Exception>(() => HfFolderWriter.Save(dir.Path, Config, TinyLlama.Create(Config, 4), DType.F32));
        Assert.Contains("exists and is not empty", ex.Message);
        HfFolderWriter.Save(dir.Path, Config, TinyLlama.Create(Config, 4), DType.F32, overwrite: true);
        Assert.False(File.Exists(dir.File("keep.txt")));
        using var ckpt = LlamaCheckpoint.Open(dir.Path);
        Assert.Equal(Config, ckpt.Config);
    }
}
