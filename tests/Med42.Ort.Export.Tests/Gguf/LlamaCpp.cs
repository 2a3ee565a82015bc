// llama.cpp (LLamaSharp 0.30.0 + its CPU backend) as the independent oracle of the GGUF export: it loads
// our .gguf with its own loader, tokenizes with its own vocabulary code and computes logits with ggml.
// The KV cache is F32 (llama.cpp's default is F16, which would round K and V to 11 bits) and flash
// attention is off, so an F32 model runs entirely in float32 like our decoder. One thread: ggml's
// workers spin-wait between ops, which on a shared 2-core machine costs ~15x on this tiny model.
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Med42.Ort.Export.Tests.Gguf;

internal sealed class LlamaCpp : IDisposable
{
    private static readonly Lazy<bool> Configured = new(() =>
    {
        // Before the first native call: llama.cpp logs every load at INFO to stderr otherwise.
        NativeLibraryConfig.All.WithLogCallback((level, message) => { });
        return true;
    });

    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;

    private LlamaCpp(string path, uint contextSize, bool vocabOnly)
    {
        _ = Configured.Value;
        var p = new ModelParams(path)
        {
            ContextSize = contextSize,
            BatchSize = contextSize,
            UBatchSize = contextSize,
            Threads = 1,
            BatchThreads = 1,
            GpuLayerCount = 0,
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            FlashAttention = false,
            VocabOnly = vocabOnly,
        };
        _weights = LLamaWeights.LoadFromFile(p);
        _context = vocabOnly ? null! : _weights.CreateContext(p);
    }

    public static LlamaCpp Load(string path, uint contextSize = 512) => new(path, contextSize, vocabOnly: false);

    /// <summary>Only the vocabulary (llama.cpp's vocab_only load): enough to tokenize.</summary>
    public static LlamaCpp LoadVocabulary(string path) => new(path, 0, vocabOnly: true);

    public SafeLlamaModelHandle Model => _weights.NativeHandle;

    /// <summary>llama.cpp's tokenizer: BOS when the model says add_bos_token, no special-token parsing.</summary>
    public int[] Tokenize(string text) => [.. Model.Tokenize(text, addBos: true, special: false, Encoding.UTF8).Select(t => (int)t)];

    /// <summary>Logits of every position for one sequence fed as a single batch from position 0: [T][V].</summary>
    public float[][] Logits(IReadOnlyList<int> ids)
    {
        _context.NativeHandle.MemoryClear(true);
        var batch = new LLamaBatch();
        for (var i = 0; i < ids.Count; i++) batch.Add(ids[i], i, LLamaSeqId.Zero, true);
        Check(_context.NativeHandle.Decode(batch));
        return [.. Enumerable.Range(0, ids.Count).Select(i => _context.NativeHandle.GetLogitsIth(i).ToArray())];
    }

    /// <summary>Greedy decoding as llama2.c's run.c: one forward pass per step from position 0, stop when <paramref name="stopId"/> is chosen.</summary>
    public List<int> Greedy(IReadOnlyList<int> prompt, int steps, int stopId)
    {
        _context.NativeHandle.MemoryClear(true);
        var ids = new List<int>(prompt);
        var batch = new LLamaBatch();
        for (var pos = 0; pos < steps; pos++)
        {
            batch.Clear();
            batch.Add(ids[pos], pos, LLamaSeqId.Zero, true);
            Check(_context.NativeHandle.Decode(batch));
            if (pos + 1 < ids.Count) continue; // still inside the prompt
            var next = ArgMax(_context.NativeHandle.GetLogitsIth(0));
            if (next == stopId) break;
            ids.Add(next);
        }
        return ids;
    }

    /// <summary>The text llama.cpp prints for the ids after the first (BOS): its own pieces, the leading space of the first one stripped.</summary>
    public string Detokenize(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>();
        var piece = new byte[256];
        for (var i = 1; i < ids.Count; i++)
        {
            var n = (int)Model.TokenToSpan(ids[i], piece, lstrip: i == 1 ? 1 : 0, special: false);
            bytes.AddRange(piece.AsSpan(0, n).ToArray());
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
            if (row[i] > row[best]) best = i;
        return best;
    }

    private static void Check(DecodeResult r)
    {
        if (r != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode returned {r}");
    }

    public void Dispose()
    {
        _context?.Dispose();
        _weights.Dispose();
    }
}
