// A llama GGUF seen as an HF checkpoint: config from llama.* metadata, tensors under HF names
// (llama.cpp gguf-py tensor_mapping.py, LLM_ARCH_LLAMA), read lazily. llama.cpp's converter
// (convert.py / convert_hf_to_gguf.py LlamaModel.permute) re-permuted HF's q/k rows into Meta's
// interleaved rotary order, so q and k are un-permuted back with RotaryPermutation on read.
using System.Globalization;
using System.Text.RegularExpressions;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama.Checkpoints;

public sealed partial class GgufLlama : ITensorStore
{
    private readonly GgufFile _file;
    private readonly Dictionary<string, (string Gguf, TensorInfo Info)> _map = new(StringComparer.Ordinal);
    private readonly List<TensorInfo> _order = [];

    public LlamaConfig Config { get; }
    public string Source => _file.Source;
    public IReadOnlyList<TensorInfo> Tensors => _order;

    /// <summary>Takes ownership of <paramref name="file"/>.</summary>
    public static GgufLlama Load(GgufFile file) => new(file);

    public static GgufLlama Open(string path) => new(GgufFile.Open(path));

    private GgufLlama(GgufFile file)
    {
        _file = file;
        try
        {
            Config = ReadConfig(file);
            foreach (var t in file.GgufTensors)
            {
                var hf = HfName(t.Name) ?? throw Med42Exception.At(file.Source, $"tensor '{t.Name}'", "is not a llama tensor this reader knows");
                var info = t.Info with { Name = hf };
                if (_map.ContainsKey(hf)) throw Med42Exception.At(file.Source, $"tensor '{t.Name}'", $"maps to '{hf}' twice");
                _map[hf] = (t.Name, info);
                _order.Add(info);
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _map.ContainsKey(name);

    public TensorInfo Info(string name) => Find(name).Info;

    public void ReadBytes(string name, Span<byte> dest)
    {
        var (gguf, info) = Find(name);
        var heads = name.EndsWith(".q_proj.weight", StringComparison.Ordinal) ? Config.NumAttentionHeads
            : name.EndsWith(".k_proj.weight", StringComparison.Ordinal) ? Config.NumKeyValueHeads : 0;
        if (heads == 0)
        {
            _file.ReadBytes(gguf, dest);
            return;
        }
        var raw = new byte[info.ByteSize];
        _file.ReadBytes(gguf, raw);
        RotaryPermutation.InterleavedToHalves(raw, dest[..raw.Length], heads, Config.HeadDim, (int)(raw.Length / (heads * Config.HeadDim)));
    }

    public void Dispose() => _file.Dispose();

    private (string Gguf, TensorInfo Info) Find(string name) =>
        _map.TryGetValue(name, out var m) ? m : throw new Med42Exception($"{Source}: missing tensor '{name}'");

    /// <summary>HF name of a llama GGUF tensor, or null when unknown.</summary>
    public static string? HfName(string gguf)
    {
        switch (gguf)
        {
            case "token_embd.weight": return WeightLayout.Embedding;
            case "output_norm.weight": return WeightLayout.FinalNorm;
            case "output.weight": return WeightLayout.LmHead;
        }
        var m = BlockName().Match(gguf);
        if (!m.Success) return null;
        var layer = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "attn_norm" => WeightLayout.InputNorm(layer),
            "ffn_norm" => WeightLayout.PostAttentionNorm(layer),
            "attn_q" => WeightLayout.Projection(layer, "q_proj"),
            "attn_k" => WeightLayout.Projection(layer, "k_proj"),
            "attn_v" => WeightLayout.Projection(layer, "v_proj"),
            "attn_output" => WeightLayout.Projection(layer, "o_proj"),
            "ffn_gate" => WeightLayout.Projection(layer, "gate_proj"),
            "ffn_up" => WeightLayout.Projection(layer, "up_proj"),
            "ffn_down" => WeightLayout.Projection(layer, "down_proj"),
            _ => null,
        };
    }

    [GeneratedRegex(@"^blk\.(0|[1-9][0-9]{0,5})\.([a-z_]+)\.weight$")]
    private static partial Regex BlockName();

    private static LlamaConfig ReadConfig(GgufFile f)
    {
        var arch = f.Get<string>("general.architecture");
        if (arch != "llama") throw Med42Exception.At(f.Source, "metadata 'general.architecture'", $"architecture '{arch}' is not supported (only 'llama')");
        int Int(string key, int? fallback = null)
        {
            var v = f.GetInteger(key) ?? fallback ?? throw Med42Exception.At(f.Source, $"metadata '{key}'", "required key is missing");
            return v is > 0 and <= int.MaxValue ? (int)v : throw Med42Exception.At(f.Source, $"metadata '{key}'", $"{v} is not a valid size");
        }
        int? TokenId(string key) => f.GetInteger(key) switch
        {
            null => null,
            var v and >= 0 and <= int.MaxValue => (int)v,
            var v => throw Med42Exception.At(f.Source, $"metadata '{key}'", $"{v} is not a valid token id"),
        };
        double Real(string key, double fallback) => !f.Metadata.TryGetValue(key, out var v) ? fallback : v switch
        {
            // The converter stored a decimal (1e-5) as float32; its shortest round-trip text recovers it.
            float x => double.Parse(x.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            double x => x,
            _ => throw Med42Exception.At(f.Source, $"metadata '{key}'", $"expected a float, got {v.GetType().Name}"),
        };
        if (f.Metadata.TryGetValue("llama.rope.scaling.type", out var scaling) && scaling is not "none")
            throw Med42Exception.At(f.Source, "metadata 'llama.rope.scaling.type'", $"rope scaling '{scaling}' is unsupported: only plain RoPE is implemented");
        var heads = Int("llama.attention.head_count");
        var vocab = f.GetInteger("llama.vocab_size") is not null ? Int("llama.vocab_size")
            : f.Metadata.TryGetValue("tokenizer.ggml.tokens", out var toks) && toks is string[] tokens ? tokens.Length
            : f.Contains("token_embd.weight") ? (int)f.Info("token_embd.weight").Shape[0]
            : throw Med42Exception.At(f.Source, "metadata 'llama.vocab_size'", "vocabulary size is not given");
        var config = new LlamaConfig
        {
            HiddenSize = Int("llama.embedding_length"),
            IntermediateSize = Int("llama.feed_forward_length"),
            NumHiddenLayers = Int("llama.block_count"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = Int("llama.attention.head_count_kv", heads),
            VocabSize = vocab,
            RmsNormEps = Real("llama.attention.layer_norm_rms_epsilon", 1e-5),
            RopeTheta = Real("llama.rope.freq_base", 10000.0),
            MaxPositionEmbeddings = Int("llama.context_length", 2048),
            TieWordEmbeddings = !f.Contains("output.weight"),
            BosTokenId = TokenId("tokenizer.ggml.bos_token_id") ?? 1,
            EosTokenId = TokenId("tokenizer.ggml.eos_token_id") ?? 2,
            PadTokenId = TokenId("tokenizer.ggml.padding_token_id"),
        };
        config.Validate(f.Source);
        if (f.GetInteger("llama.rope.dimension_count") is { } rd && rd != config.HeadDim)
            throw Med42Exception.At(f.Source, "metadata 'llama.rope.dimension_count'", $"{rd} differs from the head dimension {config.HeadDim} (partial rotary is unsupported)");
        return config;
    }
}
