// llama.cpp (LLamaSharp 0.30.0 + LLamaSharp.Backend.Cpu, llama.cpp built for CPU) as the benchmarks' same-run
// peer: loads a GGUF with its own loader and runs ggml's forward pass in this process. Set up like our decoder
// so the two compute the same function: KV cache in F32 (llama.cpp's default F16 would round K and V to 11 bits),
// flash attention off, no GPU layers; generation and batch threads = the benchmark's thread count.
// llama.cpp's own log lines are dropped (they would go to stderr at INFO). Tests: tests/Med42.Ort.Bench.Tests/Peers/.
using LLama;
using LLama.Common;
using LLama.Native;
using Med42.Ort.Runtime;

namespace Med42.Ort.Bench.Peers;

internal sealed class LlamaCppModel : IDisposable
{
    private static readonly Lazy<bool> Configured = new(() =>
    {
        // Must precede the first native call: the callback is fixed when the library loads.
        NativeLibraryConfig.All.WithLogCallback((level, message) => { });
        return true;
    });

    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();

    private LlamaCppModel(string path, int threads, int contextSize)
    {
        _ = Configured.Value;
        var p = new ModelParams(path)
        {
            ContextSize = (uint)contextSize,
            BatchSize = (uint)contextSize,     // a whole request or prompt is one llama_decode
            UBatchSize = (uint)contextSize,
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = 0,
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            FlashAttention = false,
        };
        _weights = LLamaWeights.LoadFromFile(p);
        _context = _weights.CreateContext(p);
        VocabSize = _weights.Vocab.Count;
    }

    /// <summary>Loads <paramref name="ggufPath"/> with a context of <paramref name="contextSize"/> positions.</summary>
    public static LlamaCppModel Load(string ggufPath, int threads, int contextSize) => new(ggufPath, threads, contextSize);

    public int VocabSize { get; }

    /// <summary>
    /// One llama_decode of <paramref name="ids"/> from position 0 on an empty cache, with logits for the positions
    /// from <paramref name="firstLogit"/> on (read them with <see cref="LogitsAt"/>).
    /// </summary>
    public void Evaluate(IReadOnlyList<int> ids, int firstLogit)
    {
        _context.NativeHandle.MemoryClear(true);
        _batch.Clear();
        for (var i = 0; i < ids.Count; i++) _batch.Add(ids[i], i, LLamaSeqId.Zero, i >= firstLogit);
        Check(_context.NativeHandle.Decode(_batch));
    }

    /// <summary>The logits of position <paramref name="position"/> of the last <see cref="Evaluate"/> (valid until the next decode).</summary>
    public ReadOnlySpan<float> LogitsAt(int position) => _context.NativeHandle.GetLogitsIth(position);

    /// <summary>Logits of every position of <paramref name="ids"/> fed as one batch from position 0: [T][V].</summary>
    public float[][] Logits(IReadOnlyList<int> ids)
    {
        Evaluate(ids, 0);
        return [.. Enumerable.Range(0, ids.Count).Select(i => LogitsAt(i).ToArray())];
    }

    /// <summary>
    /// Greedy decoding with the KV cache: the prompt as one batch, then one token per llama_decode, argmax of each
    /// step's logits, no stop token; returns the prompt followed by <paramref name="newTokens"/> tokens.
    /// </summary>
    public List<int> Greedy(IReadOnlyList<int> prompt, int newTokens)
    {
        Evaluate(prompt, prompt.Count - 1);
        var ids = new List<int>(prompt);
        for (var step = 0; step < newTokens; step++)
        {
            var next = Sampler.ArgMax(_context.NativeHandle.GetLogitsIth(_batch.TokenCount - 1));
            ids.Add(next);
            if (step + 1 == newTokens) break;
            _batch.Clear();
            _batch.Add(next, ids.Count - 1, LLamaSeqId.Zero, true);
            Check(_context.NativeHandle.Decode(_batch));
        }
        return ids;
    }

    private static void Check(DecodeResult r)
    {
        if (r != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode returned {r}");
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }
}
