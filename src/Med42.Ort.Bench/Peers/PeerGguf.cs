// The GGUF files a benchmark hands to llama.cpp: the same weights our decoder runs (random weights in the
// stories shapes, or stories260K), exported by GgufLlamaExport into a scratch folder deleted on dispose.
// Generation needs no text, so when no tokenizer is given the vocabulary is synthetic: llama.cpp's SentencePiece
// layout (<unk>, <s>, </s>, the 256 byte pieces when they fit, then placeholder pieces), enough for its loader.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Llama;

namespace Med42.Ort.Bench.Peers;

internal sealed class PeerGguf : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"med42-bench-gguf-{Guid.NewGuid():N}");

    /// <summary>Writes <paramref name="weights"/> as a GGUF of type <paramref name="quant"/>; returns its path.</summary>
    public string Export(LlamaConfig config, ITensorStore weights, GgufVocabulary vocabulary, GgufQuant quant)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, $"model-{quant.ToString().ToLowerInvariant()}.gguf");
        return GgufLlamaExport.Export(path, config, weights, vocabulary, new GgufExportOptions { Quant = quant, Name = "med42-bench", ChatTemplate = null, Force = true });
    }

    /// <summary>A vocabulary of <see cref="LlamaConfig.VocabSize"/> pieces that llama.cpp's "llama" tokenizer loads.</summary>
    public static GgufVocabulary SyntheticVocabulary(LlamaConfig config)
    {
        const int unknown = 2, control = 3, normal = 1, bytePiece = 6;  // SentencePiece / llama_token_type numbers
        var v = config.VocabSize;
        var bytes = v >= 3 + 256;
        var tokens = new string[v];
        var types = new int[v];
        var scores = new float[v];
        for (var i = 0; i < v; i++)
        {
            (tokens[i], types[i]) = i switch
            {
                0 => ("<unk>", unknown),
                1 => ("<s>", control),
                2 => ("</s>", control),
                _ when bytes && i < 3 + 256 => ($"<0x{i - 3:X2}>", bytePiece),
                _ => ($"\u2581piece{i}", normal),
            };
            scores[i] = types[i] == normal ? -i : 0f;
        }
        return new GgufVocabulary
        {
            Source = $"<synthetic vocabulary of {v} pieces>",
            Tokens = tokens, Scores = scores, TokenTypes = types,
            BosId = config.BosTokenId, EosId = config.EosTokenId, UnkId = 0,
        }.Checked(config);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
