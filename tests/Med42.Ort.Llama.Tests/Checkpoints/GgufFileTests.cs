// GGUF: the facts MANIFEST §1.4 lists for llama-2-tiny-random.gguf, F16 decoding and q/k un-permuting
// checked against raw file bytes, and hand-built malformed files rejected by name.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class GgufFileTests
{
    private static string TinyPath => SharedData.Path("models/llama-2-tiny-random-gguf/llama-2-tiny-random.gguf");

    [SkippableFact]
    public void ManifestFactsHold()
    {
        using var f = GgufFile.Open(TinyPath);
        Assert.Equal(3u, f.Version);
        Assert.Equal(18, f.Metadata.Count);
        Assert.Equal(12, f.GgufTensors.Count);
        Assert.Equal(32, f.Alignment);
        Assert.Equal(724416, f.DataStart);
        Assert.Equal("llama", f.Get<string>("general.architecture"));
        Assert.Equal("LLaMA v2", f.Get<string>("general.name"));
        Assert.Equal(4096, f.GetInteger("llama.context_length"));
        Assert.Equal(8, f.GetInteger("llama.embedding_length"));
        Assert.Equal(1, f.GetInteger("llama.block_count"));
        Assert.Equal(32, f.GetInteger("llama.feed_forward_length"));
        Assert.Equal(4, f.GetInteger("llama.rope.dimension_count"));
        Assert.Equal(2, f.GetInteger("llama.attention.head_count"));
        Assert.Equal(2, f.GetInteger("llama.attention.head_count_kv"));
        Assert.Equal(1e-5f, f.Get<float>("llama.attention.layer_norm_rms_epsilon"));
        Assert.Equal(1, f.GetInteger("general.file_type"));
        Assert.Equal("llama", f.Get<string>("tokenizer.ggml.model"));
        Assert.Equal(32000, f.Get<string[]>("tokenizer.ggml.tokens").Length);
        Assert.Equal(32000, f.Get<float[]>("tokenizer.ggml.scores").Length);
        Assert.Equal((1L, 2L, 0L), (f.GetInteger("tokenizer.ggml.bos_token_id"), f.GetInteger("tokenizer.ggml.eos_token_id"), f.GetInteger("tokenizer.ggml.unknown_token_id")));

        var t = f.GgufTensors.ToDictionary(x => x.Name);
        void Is(string name, ulong[] dims, int type)
        {
            Assert.Equal(dims, t[name].Dims);
            Assert.Equal(type, t[name].GgmlType);
        }
        Is("token_embd.weight", [8, 32000], 1);
        Is("output.weight", [8, 32000], 1);
        foreach (var n in new[] { "attn_q", "attn_k", "attn_v", "attn_output" }) Is($"blk.0.{n}.weight", [8, 8], 1);
        Is("blk.0.ffn_gate.weight", [8, 32], 1);
        Is("blk.0.ffn_up.weight", [8, 32], 1);
        Is("blk.0.ffn_down.weight", [32, 8], 1);
        foreach (var n in new[] { "blk.0.attn_norm.weight", "blk.0.ffn_norm.weight", "output_norm.weight" }) Is(n, [8], 0);
        // Row-major shapes are the reverse of GGUF's ne0-first dims.
        Assert.Equal([32000L, 8L], f.Info("token_embd.weight").Shape);
        Assert.Equal([8L, 32L], f.Info("blk.0.ffn_down.weight").Shape);
    }

    [SkippableFact]
    public void LoadsAsAnHfLlama()
    {
        using var ckpt = LlamaCheckpoint.Open(TinyPath);
        Assert.Equal(CheckpointFormat.Gguf, ckpt.Format);
        Assert.Equal(new LlamaConfig
        {
            HiddenSize = 8, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 2,
            VocabSize = 32000, RmsNormEps = 1e-5, RopeTheta = 10000, MaxPositionEmbeddings = 4096, TieWordEmbeddings = false,
        }, ckpt.Config);
        Assert.Equal(WeightLayout.For(ckpt.Config).Select(w => w.Name).Order(), ckpt.Weights.Tensors.Select(t => t.Name).Order());
    }

    [SkippableFact]
    public void F16DecodesAndQkAreUnpermutedFromRawBytes()
    {
        using var f = GgufFile.Open(TinyPath);
        float[] Raw(string name)
        {
            var t = f.GgufTensors.Single(x => x.Name == name);
            using var r = new BinaryReader(File.OpenRead(TinyPath));
            r.BaseStream.Position = 724416 + t.Offset;
            var n = (int)t.Dims.Aggregate(1UL, (a, d) => a * d);
            return [.. Enumerable.Range(0, n).Select(_ => t.GgmlType == 1 ? (float)r.ReadHalf() : r.ReadSingle())];
        }
        using var llama = GgufLlama.Open(TinyPath);
        Assert.Equal(Raw("token_embd.weight"), llama.ReadFloat32(WeightLayout.Embedding));
        Assert.Equal(Raw("blk.0.ffn_down.weight"), llama.ReadFloat32(WeightLayout.Projection(0, "down_proj")));
        Assert.Equal(Raw("blk.0.attn_norm.weight"), llama.ReadFloat32(WeightLayout.InputNorm(0)));
        // HF row h*D + j*(D/2) + i = GGUF (interleaved) row h*D + 2i + j, with D = 4, 8 columns.
        var gq = Raw("blk.0.attn_q.weight");
        var hq = llama.ReadFloat32(WeightLayout.Projection(0, "q_proj"));
        for (var h = 0; h < 2; h++)
            for (var i = 0; i < 2; i++)
                for (var j = 0; j < 2; j++)
                    Assert.Equal(gq.AsSpan((h * 4 + 2 * i + j) * 8, 8).ToArray(), hq.AsSpan((h * 4 + j * 2 + i) * 8, 8).ToArray());
        Assert.NotEqual(gq, hq); // the permutation is not the identity on this data
    }

    /// <summary>A hand-built GGUF v3 with llama metadata and the given tensors (all data zeros).</summary>
    private static byte[] Build(params (string Name, ulong[] Dims, uint Type, ulong Offset)[] tensors)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        void Str(string s) { var b = Encoding.UTF8.GetBytes(s); w.Write((ulong)b.Length); w.Write(b); }
        w.Write(0x46554747u); w.Write(3u); w.Write((ulong)tensors.Length); w.Write(1UL);
        Str("general.architecture"); w.Write(8u); Str("llama");
        foreach (var (name, dims, type, offset) in tensors)
        {
            Str(name); w.Write((uint)dims.Length);
            foreach (var d in dims) w.Write(d);
            w.Write(type); w.Write(offset);
        }
        while (ms.Length % 32 != 0) w.Write((byte)0);
        w.Write(new byte[256]);
        return ms.ToArray();
    }

    private static Med42Exception Rejects(byte[] bytes, out string path)
    {
        using var dir = new TempDir();
        path = dir.File("m.gguf");
        File.WriteAllBytes(path, bytes);
        var p = path;
        return Assert.Throws<Med42Exception>(() => GgufFile.Open(p).Dispose());
    }

    [Fact]
    public void QuantizedTensorIsRejectedByName()
    {
        var ex = Rejects(Build(("blk.0.attn_q.weight", [32, 2], 2, 0)), out var path);
        Assert.Equal($"{path}: tensor 'blk.0.attn_q.weight': ggml type 2 (Q4_0) is not supported (only F32, F16, BF16; dequantize the model first)", ex.Message);
    }

    [Fact]
    public void TensorDataPastEndOfFileIsRejected()
    {
        var ex = Rejects(Build(("w", [64, 64], 0, 0)), out var path);
        Assert.Contains($"{path}: tensor 'w': data [", ex.Message);
        Assert.Contains("runs past the end of the file", ex.Message);
    }

    [Fact]
    public void OverlappingTensorsAreRejected()
    {
        var ex = Rejects(Build(("a", [16], 0, 0), ("b", [16], 0, 32)), out var path);
        Assert.Equal($"{path}: tensor 'b': data at offset 32 overlaps tensor 'a'", ex.Message);
    }

    [Fact]
    public void TruncatedHeaderIsRejected()
    {
        var bytes = Build(("a", [4], 0, 0));
        var ex = Rejects(bytes[..40], out var path);
        Assert.StartsWith($"{path}: byte ", ex.Message);
        Assert.Contains("truncated?", ex.Message);
    }
}
