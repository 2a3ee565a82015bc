// GgufWriter read back by the project's own strict reader (GgufFile, written independently from the
// GGUF spec): every metadata type and value, key order, tensor dims (ne0 first on disk), 32-byte
// aligned offsets and data; writer misuse refused; GgufTensorNames inverted by GgufLlama.HfName.
// The writer against ggml's reader and llama.cpp: tests/Med42.Ort.Export.Tests/Gguf/.
using System.Runtime.InteropServices;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class GgufWriterTests
{
    private static GgufMetadata Metadata() => new GgufMetadata()
        .String("general.architecture", "llama")
        .U32("answer", 42)
        .F32("eps", 1e-5f)
        .Bool("yes", true)
        .Strings("words", ["a", "▁b", ""])
        .F32s("scores", [0.5f, -1f])
        .I32s("types", [1, 6, 3]);

    [Fact]
    public void ProjectReaderReadsBackMetadataTensorsAndAlignment()
    {
        using var dir = new TempDir();
        float[] norm = [1f, 2f, 3f];
        var matrix = Enumerable.Range(0, 2 * 5).Select(i => i * 0.25f).ToArray();
        GgufTensorSpec[] tensors = [new("norm.weight", [3], GgmlType.F32), new("m.weight", [2, 5], GgmlType.F16)];
        using (var fs = File.Create(dir.File("t.gguf")))
            GgufWriter.Write(fs, Metadata(), tensors, (t, s) => GgufWriter.WriteFloats(s, t, t.Name == "norm.weight" ? norm : matrix));

        using var f = GgufFile.Open(dir.File("t.gguf"));
        Assert.Equal(3u, f.Version);
        Assert.Equal(["general.architecture", "answer", "eps", "yes", "words", "scores", "types"], f.MetadataKeys);
        Assert.Equal("llama", f.Get<string>("general.architecture"));
        Assert.Equal(42u, f.Get<uint>("answer"));
        Assert.Equal(1e-5f, f.Get<float>("eps"));
        Assert.True(f.Get<bool>("yes"));
        Assert.Equal(["a", "▁b", ""], f.Get<string[]>("words"));
        Assert.Equal([0.5f, -1f], f.Get<float[]>("scores"));
        Assert.Equal([1, 6, 3], f.Get<int[]>("types"));

        Assert.Equal(0, f.DataStart % 32);
        Assert.Equal(new ulong[] { 5, 2 }, f.Find("m.weight").Dims); // ne0 (the row length) first on disk
        Assert.Equal([2L, 5L], f.Info("m.weight").Shape);
        Assert.Equal((0L, 32L), (f.Find("norm.weight").Offset, f.Find("m.weight").Offset)); // 12 bytes padded to 32
        Assert.Equal(f.DataStart + 32 + 32, new FileInfo(dir.File("t.gguf")).Length);   // 20 bytes padded to 32
        Assert.Equal(MemoryMarshal.AsBytes(norm.AsSpan()).ToArray(), f.ReadBytes("norm.weight"));
        Assert.Equal(DType.F16, f.Info("m.weight").DType);
        Assert.Equal(matrix, f.ReadFloat32("m.weight")); // multiples of 0.25 are exact in fp16
    }

    [Fact]
    public void MisuseIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new GgufMetadata().U32("k", 1).String("k", "again"));
        using var ms = new MemoryStream();
        GgufTensorSpec[] one = [new("x", [4], GgmlType.F32)];
        Assert.Throws<InvalidOperationException>(() => GgufWriter.Write(ms, new GgufMetadata(), one, (t, s) => s.Write(new byte[12])));
        Assert.Throws<ArgumentException>(() => GgufWriter.Write(new MemoryStream(), new GgufMetadata(), [.. one, .. one], (t, s) => { }));
        Assert.Throws<ArgumentException>(() => new GgufTensorSpec("q", [2, 48], GgmlType.Q4_0).ByteSize); // 48 is not whole 32-blocks
    }

    [Fact]
    public void QuantisedTensorsTakeTheirBlockBytes()
    {
        var spec = new GgufTensorSpec("q", [3, 64], GgmlType.Q8_0);
        using var ms = new MemoryStream();
        GgufWriter.WriteFloats(ms, spec, new float[3 * 64]);
        Assert.Equal(3 * 2 * 34, ms.Length);
        Assert.Equal(spec.ByteSize, ms.Length);
    }

    [Fact]
    public void TensorNamesInvertTheReadersMapping()
    {
        var c = new LlamaConfig { HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 12, NumAttentionHeads = 4, NumKeyValueHeads = 2, VocabSize = 64 };
        var names = WeightLayout.For(c).Select(GgufTensorNames.For).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var spec in WeightLayout.For(c)) Assert.Equal(spec.Name, GgufLlama.HfName(GgufTensorNames.For(spec)));
        Assert.Contains("blk.11.ffn_down.weight", names);
        Assert.Contains("output.weight", names);
        Assert.DoesNotContain("output.weight", WeightLayout.For(c with { TieWordEmbeddings = true }).Select(GgufTensorNames.For));
    }
}
