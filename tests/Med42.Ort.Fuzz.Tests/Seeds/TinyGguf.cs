// Writes a small llama GGUF v3 (ggml docs/gguf.md) from HF-named weights, the inverse of GgufLlama's
// mapping: llama.* metadata, a tokens array, linears as F16 with q/k rows in llama.cpp's interleaved
// rotary order, norms as F32, data aligned to 32 bytes. A seed for the fuzz suite, not a product writer.
using System.Text;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Fuzz.Tests.Seeds;

public static class TinyGguf
{
    public static byte[] Build(LlamaConfig c, ITensorStore weights)
    {
        var tensors = new List<(string Name, long[] Shape, uint Type, byte[] Data)>();
        foreach (var spec in WeightLayout.For(c))
        {
            var values = weights.ReadFloat32(spec.Name);
            var raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            if (spec.Module == "q_proj") raw = RotaryPermutation.HalvesToInterleaved(raw, c.NumAttentionHeads, c.HeadDim);
            if (spec.Module == "k_proj") raw = RotaryPermutation.HalvesToInterleaved(raw, c.NumKeyValueHeads, c.HeadDim);
            var f16 = spec.Kind == WeightKind.Linear || spec.Name == WeightLayout.Embedding;
            if (f16)
            {
                var half = new byte[values.Length * 2];
                FloatConvert.FromFloat32(DType.F16, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw), half);
                raw = half;
            }
            tensors.Add((GgufTensorNames.For(spec), spec.Shape, f16 ? 1u : 0u, raw));
        }

        var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        void Str(string s) { var b = Encoding.UTF8.GetBytes(s); w.Write((ulong)b.Length); w.Write(b); }
        var metadata = new List<Action>
        {
            () => { Str("general.architecture"); w.Write(8u); Str("llama"); },
            () => { Str("general.alignment"); w.Write(4u); w.Write(32u); },
            () => { Str("llama.context_length"); w.Write(4u); w.Write((uint)c.MaxPositionEmbeddings); },
            () => { Str("llama.embedding_length"); w.Write(4u); w.Write((uint)c.HiddenSize); },
            () => { Str("llama.block_count"); w.Write(4u); w.Write((uint)c.NumHiddenLayers); },
            () => { Str("llama.feed_forward_length"); w.Write(4u); w.Write((uint)c.IntermediateSize); },
            () => { Str("llama.attention.head_count"); w.Write(4u); w.Write((uint)c.NumAttentionHeads); },
            () => { Str("llama.attention.head_count_kv"); w.Write(4u); w.Write((uint)c.NumKeyValueHeads); },
            () => { Str("llama.rope.dimension_count"); w.Write(4u); w.Write((uint)c.HeadDim); },
            () => { Str("llama.attention.layer_norm_rms_epsilon"); w.Write(6u); w.Write((float)c.RmsNormEps); },
            () => { Str("llama.rope.freq_base"); w.Write(6u); w.Write((float)c.RopeTheta); },
            () => { Str("tokenizer.ggml.bos_token_id"); w.Write(4u); w.Write((uint)c.BosTokenId); },
            () => { Str("tokenizer.ggml.eos_token_id"); w.Write(4u); w.Write((uint)c.EosTokenId); },
            () =>
            {
                Str("tokenizer.ggml.tokens"); w.Write(9u); w.Write(8u); w.Write((ulong)c.VocabSize);
                for (var i = 0; i < c.VocabSize; i++) Str(i < 3 ? new[] { "<unk>", "<s>", "</s>" }[i] : $"t{i}");
            },
        };
        w.Write(0x46554747u);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)metadata.Count);
        foreach (var m in metadata) m();
        ulong offset = 0;
        foreach (var (name, shape, type, data) in tensors)
        {
            Str(name);
            w.Write((uint)shape.Length);
            foreach (var d in shape.Reverse()) w.Write((ulong)d); // ne0 (the contiguous dimension) first
            w.Write(type);
            w.Write(offset);
            offset += (ulong)((data.Length + 31) / 32 * 32);
        }
        while (ms.Length % 32 != 0) w.Write((byte)0);
        foreach (var (_, _, _, data) in tensors)
        {
            w.Write(data);
            while (ms.Length % 32 != 0) w.Write((byte)0);
        }
        return ms.ToArray();
    }

}
