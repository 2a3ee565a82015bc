// llama2.c "legacy" (version 0) checkpoints (karpathy/llama2.c run.c, export.py legacy_export;
// shared/data/MANIFEST.md §1.1): 7 x int32 header (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
// vocab_size, seq_len), then float32 arrays: token_embedding, rms_att, wq, wk, wv, wo, rms_ffn,
// w1, w2, w3, rms_final, freq_cis_real, freq_cis_imag, and wcls when vocab_size is negative
// (separate classifier). Loaded under HF names (WeightLayout) with wq/wk rows permuted to HF's
// halves rotary order; writing applies the inverse, so conversions round-trip bitwise. Every array is
// checked finite as it is read (named 'wq[layer]' as llama2.c stores it).
// Tests: tests/Med42.Ort.Llama.Tests/Checkpoints/Llama2cCheckpointTests.cs.
using System.Buffers.Binary;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama.Checkpoints;

public static class Llama2cCheckpoint
{
    public const int HeaderBytes = 28;

    // The .bin has no index: header, then each tensor in llama2.c's fixed order with its size checked against the
    // file; one sequential read, so one method.
    /// <summary>Reads a llama2.c .bin: config (eps 1e-5, theta 10000, max positions = seq_len) and F32 weights under HF names.</summary>
    public static (LlamaConfig Config, InMemoryTensorStore Weights) Read(string path)
    {
        using var fs = OpenRead(path);
        var length = fs.Length;
        if (length < HeaderBytes)
            throw Med42Exception.At(path, "byte 0", $"file is {length} bytes, shorter than the {HeaderBytes}-byte llama2.c header (truncated?)");
        Span<byte> header = stackalloc byte[HeaderBytes];
        fs.ReadExactly(header);
        var h = new int[7];
        for (var i = 0; i < 7; i++) h[i] = BinaryPrimitives.ReadInt32LittleEndian(header[(4 * i)..]);
        string[] names = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"];
        for (var i = 0; i < 7; i++)
            if (h[i] == 0 || (h[i] < 0 && i != 5) || h[i] == int.MinValue)
                throw Med42Exception.At(path, $"header byte {4 * i}", $"{names[i]} = {h[i]} is not a valid size");
        var shared = h[5] > 0;
        var config = new LlamaConfig
        {
            HiddenSize = h[0], IntermediateSize = h[1], NumHiddenLayers = h[2], NumAttentionHeads = h[3],
            NumKeyValueHeads = h[4], VocabSize = Math.Abs(h[5]), MaxPositionEmbeddings = h[6],
            RmsNormEps = 1e-5, RopeTheta = 10000.0, TieWordEmbeddings = shared,
        };
        config.Validate(path + ": header");
        long expected;
        try { expected = ExpectedBytes(config); }
        catch (OverflowException) { throw Med42Exception.At(path, "header", "the header's sizes imply a file too large to exist"); }
        if (expected != length)
            throw Med42Exception.At(path, "file size", $"the header (dim {h[0]}, hidden_dim {h[1]}, n_layers {h[2]}, n_heads {h[3]}, n_kv_heads {h[4]}, vocab_size {h[5]}, seq_len {h[6]}) implies {expected} bytes but the file has {length} bytes");

        var store = new InMemoryTensorStore(path);
        var layered = new Dictionary<string, byte[][]>();
        foreach (var (name, rows, cols, perLayer) in Arrays(config))
        {
            var bytes = checked(rows * cols * 4);
            if (perLayer)
            {
                var all = new byte[config.NumHiddenLayers][];
                for (var l = 0; l < all.Length; l++)
                {
                    all[l] = new byte[bytes];
                    ReadChecked(fs, all[l], path, $"{name}[{l}]");
                }
                layered[name] = all;
            }
            else if (name is "freq_cis_real" or "freq_cis_imag") fs.Seek(bytes, SeekOrigin.Current); // run.c skips them too
            else
            {
                var raw = new byte[bytes];
                ReadChecked(fs, raw, path, name);
                layered[name] = [raw];
            }
        }

        var (d, hq, hkv) = (config.HeadDim, config.NumAttentionHeads, config.NumKeyValueHeads);
        foreach (var spec in WeightLayout.For(config))
        {
            var raw = spec.Name switch
            {
                WeightLayout.Embedding => layered["token_embedding"][0],
                WeightLayout.FinalNorm => layered["rms_final"][0],
                WeightLayout.LmHead => layered["wcls"][0],
                _ when spec.Module == "input_layernorm" => layered["rms_att"][spec.Layer],
                _ when spec.Module == "post_attention_layernorm" => layered["rms_ffn"][spec.Layer],
                _ => spec.Module switch
                {
                    "q_proj" => RotaryPermutation.InterleavedToHalves(layered["wq"][spec.Layer], hq, d),
                    "k_proj" => RotaryPermutation.InterleavedToHalves(layered["wk"][spec.Layer], hkv, d),
                    "v_proj" => layered["wv"][spec.Layer],
                    "o_proj" => layered["wo"][spec.Layer],
                    "gate_proj" => layered["w1"][spec.Layer],
                    "down_proj" => layered["w2"][spec.Layer],
                    "up_proj" => layered["w3"][spec.Layer],
                    _ => throw new InvalidOperationException($"no llama2.c array for {spec.Name}"),
                },
            };
            store.Add(new TensorInfo(spec.Name, DType.F32, spec.Shape), raw);
        }
        return (config, store);
    }

    /// <summary>
    /// Writes a llama2.c version-0 .bin from HF-named weights (any float dtype, written as float32);
    /// seq_len = MaxPositionEmbeddings; the classifier is shared when the config ties embeddings.
    /// </summary>
    public static void Write(string path, LlamaConfig config, ITensorStore weights)
    {
        config.Validate(weights.Source);
        AtomicFile.Write(path, fs =>
        {
            Span<byte> header = stackalloc byte[HeaderBytes];
            int[] h = [config.HiddenSize, config.IntermediateSize, config.NumHiddenLayers, config.NumAttentionHeads,
                config.NumKeyValueHeads, config.TieWordEmbeddings ? config.VocabSize : -config.VocabSize, config.MaxPositionEmbeddings];
            for (var i = 0; i < 7; i++) BinaryPrimitives.WriteInt32LittleEndian(header[(4 * i)..], h[i]);
            fs.Write(header);
            var (d, hq, hkv) = (config.HeadDim, config.NumAttentionHeads, config.NumKeyValueHeads);
            foreach (var (name, _, _, perLayer) in Arrays(config))
            {
                if (name is "freq_cis_real" or "freq_cis_imag")
                {
                    fs.Write(FreqCis(config, name == "freq_cis_real"));
                    continue;
                }
                for (var l = 0; l < (perLayer ? config.NumHiddenLayers : 1); l++)
                {
                    byte[] F32(string hfName)
                    {
                        var values = weights.ReadFloat32(hfName);
                        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
                    }
                    fs.Write(name switch
                    {
                        "token_embedding" => F32(WeightLayout.Embedding),
                        "rms_final" => F32(WeightLayout.FinalNorm),
                        "wcls" => F32(WeightLayout.LmHead),
                        "rms_att" => F32(WeightLayout.InputNorm(l)),
                        "rms_ffn" => F32(WeightLayout.PostAttentionNorm(l)),
                        "wq" => RotaryPermutation.HalvesToInterleaved(F32(WeightLayout.Projection(l, "q_proj")), hq, d),
                        "wk" => RotaryPermutation.HalvesToInterleaved(F32(WeightLayout.Projection(l, "k_proj")), hkv, d),
                        "wv" => F32(WeightLayout.Projection(l, "v_proj")),
                        "wo" => F32(WeightLayout.Projection(l, "o_proj")),
                        "w1" => F32(WeightLayout.Projection(l, "gate_proj")),
                        "w2" => F32(WeightLayout.Projection(l, "down_proj")),
                        "w3" => F32(WeightLayout.Projection(l, "up_proj")),
                        _ => throw new InvalidOperationException(name),
                    });
                }
            }
        }, bufferSize: 1 << 20);
    }

    /// <summary>Exact file size a version-0 checkpoint of this config has.</summary>
    public static long ExpectedBytes(LlamaConfig c) =>
        checked(HeaderBytes + 4L * Arrays(c).Sum(a => checked(a.Rows * a.Cols * (a.PerLayer ? c.NumHiddenLayers : 1))));

    /// <summary>The arrays in file order: (name, rows, cols, one per layer?).</summary>
    private static IEnumerable<(string Name, long Rows, long Cols, bool PerLayer)> Arrays(LlamaConfig c)
    {
        long dim = c.HiddenSize, f = c.IntermediateSize, kv = c.KvDim, v = c.VocabSize;
        yield return ("token_embedding", v, dim, false);
        yield return ("rms_att", 1, dim, true);
        yield return ("wq", c.NumAttentionHeads * (long)c.HeadDim, dim, true);
        yield return ("wk", kv, dim, true);
        yield return ("wv", kv, dim, true);
        yield return ("wo", dim, c.NumAttentionHeads * (long)c.HeadDim, true);
        yield return ("rms_ffn", 1, dim, true);
        yield return ("w1", f, dim, true);
        yield return ("w2", dim, f, true);
        yield return ("w3", f, dim, true);
        yield return ("rms_final", 1, dim, false);
        yield return ("freq_cis_real", c.MaxPositionEmbeddings, c.HeadDim / 2, false);
        yield return ("freq_cis_imag", c.MaxPositionEmbeddings, c.HeadDim / 2, false);
        if (!c.TieWordEmbeddings) yield return ("wcls", v, dim, false);
    }

    /// <summary>
    /// The legacy freq_cis tables (unused by run.c, kept for the format): cos / sin of pos * theta^(-2i/D),
    /// computed in float32 step by step as llama2.c model.py precompute_freqs_cis does.
    /// </summary>
    private static byte[] FreqCis(LlamaConfig c, bool real)
    {
        var half = c.HeadDim / 2;
        var result = new byte[4L * c.MaxPositionEmbeddings * half];
        var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(result.AsSpan());
        var theta = (float)c.RopeTheta;
        for (var i = 0; i < half; i++)
        {
            var freq = 1f / MathF.Pow(theta, (2f * i) / c.HeadDim);
            for (var pos = 0; pos < c.MaxPositionEmbeddings; pos++)
            {
                var angle = pos * freq;
                span[pos * half + i] = real ? MathF.Cos(angle) : MathF.Sin(angle);
            }
        }
        return result;
    }

    // Float32 array read and checked finite chunk by chunk, while each chunk is in cache (FiniteCheck.ChunkBytes).
    private static void ReadChecked(FileStream fs, byte[] dest, string path, string name)
    {
        for (var done = 0; done < dest.Length;)
        {
            var chunk = dest.AsSpan(done, Math.Min(dest.Length - done, FiniteCheck.ChunkBytes));
            fs.ReadExactly(chunk);
            FiniteCheck.Require(DType.F32, chunk, path, name, done / 4);
            done += chunk.Length;
        }
    }

    private static FileStream OpenRead(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Med42Exception($"{path}: cannot open: {e.Message}", e);
        }
    }
}
