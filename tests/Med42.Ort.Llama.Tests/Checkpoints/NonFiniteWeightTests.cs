// One NaN or Inf weight in a llama2.c .bin, an HF safetensors folder or a GGUF used to load silently
// (generate printed nothing, eval reported acc 0.0). Each checkpoint here is valid but for one planted
// value; opening and reading it must be a Med42Exception naming the file, the tensor and the element.
using System.Buffers.Binary;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class NonFiniteWeightTests
{
    private static readonly LlamaConfig Tiny = new()
    {
        HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 32, MaxPositionEmbeddings = 16, TieWordEmbeddings = true,
    };

    private static InMemoryTensorStore WithBadValue(string tensor, int element, float value)
    {
        var clean = TinyLlama.Create(Tiny, 3, 0.1f);
        var store = new InMemoryTensorStore("<planted>");
        foreach (var t in clean.Tensors)
        {
            var v = clean.ReadFloat32(t.Name);
            if (t.Name == tensor) v[element] = value;
            store.AddFloat(t.Name, t.Shape, v);
        }
        return store;
    }

    private static void ReadAll(LlamaCheckpoint c)
    {
        foreach (var spec in WeightLayout.For(c.Config)) c.Weights.ReadFloat32(spec.Name);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+Inf")]
    public void Llama2cBinRefusesAtLoad(float bad, string shown)
    {
        using var dir = new TempDir();
        var path = dir.File("m.bin");
        Llama2cCheckpoint.Write(path, Tiny, WithBadValue(WeightLayout.Projection(1, "v_proj"), 37, bad));
        var e = Assert.Throws<Med42Exception>(() => LlamaCheckpoint.Open(path).Dispose());
        // llama2.c stores wv as one array per layer: layer 1's copy holds the planted element.
        Assert.Equal($"{path}: tensor 'wv[1]': element 37 is {shown}: weights must be finite (a corrupt or diverged checkpoint?)", e.Message);
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.BF16)]
    public void SafetensorsRefusesWhenTheTensorIsRead(DType dtype)
    {
        using var dir = new TempDir();
        var store = WithBadValue(WeightLayout.FinalNorm, 5, float.NegativeInfinity);
        var typed = new InMemoryTensorStore("<typed>");
        foreach (var t in store.Tensors) typed.AddFloat(t.Name, t.Shape, store.ReadFloat32(t.Name), dtype);
        Core.Checkpoints.SafetensorsWriter.Write(dir.File("model.safetensors"), typed);
        HfConfigJson.Write(dir.File("config.json"), Tiny, dtype);
        using var ckpt = LlamaCheckpoint.Open(dir.Path);
        var e = Assert.Throws<Med42Exception>(() => ReadAll(ckpt));
        Assert.Equal($"{dir.File("model.safetensors")}: tensor '{WeightLayout.FinalNorm}': element 5 is -Inf: weights must be finite (a corrupt or diverged checkpoint?)", e.Message);
    }

    [SkippableFact]
    public void GgufRefusesWhenTheTensorIsRead()
    {
        var shared = SharedData.Path("models/llama-2-tiny-random-gguf/llama-2-tiny-random.gguf");
        using var dir = new TempDir();
        var path = dir.File("m.gguf");
        File.Copy(shared, path); // a scratch copy: the shared file stays read-only
        long at;
        using (var f = GgufFile.Open(path)) at = f.DataStart + f.Find("output_norm.weight").Offset + 4 * 3; // F32 [8]
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            fs.Position = at;
            var nan = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(nan, float.NaN);
            fs.Write(nan);
        }
        using var ckpt = LlamaCheckpoint.Open(path);
        var e = Assert.Throws<Med42Exception>(() => ReadAll(ckpt));
        Assert.Equal($"{path}: tensor 'output_norm.weight': element 3 is NaN: weights must be finite (a corrupt or diverged checkpoint?)", e.Message);
    }
}
