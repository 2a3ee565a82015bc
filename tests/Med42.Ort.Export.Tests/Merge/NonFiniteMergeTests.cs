// `merge` used to write non-finite weights for a NaN/Inf in lora_B or a huge lora_alpha. Now the adapter's
// tensors are checked as they are read, and a merged value that overflows float32 (or F16 on output) is
// refused naming the tensor, with nothing left in the output folder.
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.Merge;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Export.Tests.Adapters;

namespace Med42.Ort.Export.Tests.Merge;

public class NonFiniteMergeTests
{
    private static readonly LlamaConfig Tiny = PeftAdapterTests.Tiny;
    private static readonly LoraConfig Lora = new() { Rank = 2, Alpha = 4, Targets = ["q_proj", "v_proj"] };

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.NegativeInfinity, "-Inf")]
    public void NonFiniteLoraBIsRefused(float bad, string shown)
    {
        using var dir = new TempDir();
        var clean = PeftAdapterTests.RandomAdapter(Tiny, Lora, 9);
        var b = LoraWeights.Name(1, "v_proj", 'B');
        var planted = new InMemoryTensorStore("<planted>");
        foreach (var t in clean.Tensors)
        {
            var v = clean.ReadFloat32(t.Name);
            if (t.Name == b) v[3] = bad;
            planted.AddFloat(t.Name, t.Shape, v);
        }
        PeftAdapter.Write(dir.File("a"), Tiny, Lora, planted, "tiny/base");
        using var adapter = PeftAdapter.Read(dir.File("a"), Tiny);
        using var baseWeights = TinyLlama.Create(Tiny, 1);
        var e = Assert.Throws<Med42Exception>(() => LoraMerge.Save(dir.File("out"), Tiny, baseWeights, adapter, DType.F32));
        Assert.Equal($"{Path.Combine(dir.File("a"), PeftAdapter.WeightsFile)}: tensor '{b}': element 3 is {shown}: weights must be finite (a corrupt or diverged checkpoint?)", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void MergeOverflowingFloat32IsRefused()
    {
        // lora_alpha / r = 5e36 fits float32 (the config check passes), but times B·A entries of order 10² it passes 3.4e38.
        var huge = Lora with { Alpha = 1e37 };
        using var adapter = PeftAdapterTests.RandomAdapter(Tiny, huge, 9, std: 10);
        using var baseWeights = TinyLlama.Create(Tiny, 1);
        using var merged = new MergedTensorStore(Tiny, baseWeights, huge, adapter);
        var q = WeightLayout.Projection(0, "q_proj");
        var e = Assert.Throws<Med42Exception>(() => merged.ReadFloat32(q));
        Assert.Matches($@"tensor '{System.Text.RegularExpressions.Regex.Escape(q)}': merged weight element \d+ is (NaN|[+-]Inf): W \+ \(lora_alpha / r\)·B·A is not finite \(lora_alpha 1E\+37, r 2\); refusing to write it$", e.Message);
    }

    [Fact]
    public void MergeOverflowingF16OutputIsRefused()
    {
        // lora_alpha / r = 5e4 times B·A entries of order 1: finite in float32, beyond F16's 65504 for some element.
        var big = Lora with { Alpha = 1e5 };
        using var dir = new TempDir();
        using var adapter = PeftAdapterTests.RandomAdapter(Tiny, big, 9, std: 1);
        using var baseWeights = TinyLlama.Create(Tiny, 1);
        using var merged = new MergedTensorStore(Tiny, baseWeights, big, adapter);
        var e = Assert.Throws<Med42Exception>(() => HfFolderWriter.Save(dir.File("out"), Tiny, merged, DType.F16));
        Assert.Contains("(as F16)': element ", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
