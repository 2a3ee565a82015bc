// The decoders `bench generate` times side by side, behind one interface so every one of them runs the same
// prompt and step count in the same interleaved rounds: ours (ONNX Runtime: plain ops, fused GroupQueryAttention,
// and GQA with int4 MatMulNBits projections) and, with --peer llama.cpp, llama.cpp on the same weights as GGUF
// (f32, the validated peer of our fp32 decoders; q4_0, the peer of our int4 one).
using System.Diagnostics;
using Med42.Ort.Bench.Peers;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Int4;
using Med42.Ort.Runtime;

namespace Med42.Ort.Bench;

/// <summary>One decoder under test: greedy tokens from BOS, a timed prompt forward, a timed generation.</summary>
internal interface IGenerationRunner : IDisposable
{
    /// <summary>Table label ("plain", "gqa", "int4 gqa", "llama.cpp f32", "llama.cpp q4_0").</summary>
    string Name { get; }
    /// <summary>CSV setting prefix ("attention=gqa", "peer=llama.cpp quant=q4_0").</summary>
    string Setting { get; }
    /// <summary>Bytes of weights one generated token reads (the bandwidth ceiling's denominator).</summary>
    double WeightBytes { get; }
    /// <summary>True for the 4-bit decoders (compared with each other, not validated against f32).</summary>
    bool FourBit { get; }
    bool IsPeer { get; }
    /// <summary>BOS followed by <paramref name="steps"/> greedy tokens.</summary>
    List<int> Greedy(int steps);
    /// <summary>Logits [T·V] of one forward over <paramref name="prompt"/> from position 0.</summary>
    float[] PromptLogits(int[] prompt);
    /// <summary>Tokens/s of one forward over <paramref name="prompt"/>.</summary>
    double PromptRate(int[] prompt);
    /// <summary>Generated tokens/s of <see cref="Greedy"/>.</summary>
    double GenerateRate(int steps);
}

internal static class GenerationRunners
{
    /// <summary>Bytes per weight of MatMulNBits at block 32, symmetric: 32 codes of 4 bits + one fp32 scale.</summary>
    public const double Int4BytesPerWeight = (32 * 0.5 + 4) / 32;
    /// <summary>Bytes per weight of ggml's Q4_0: 32 codes of 4 bits + one fp16 scale.</summary>
    public const double Q4_0BytesPerWeight = (32 * 0.5 + 2) / 32;

    /// <summary>Our decoders: plain ops (the reference), GQA, and with <paramref name="int4"/> GQA over int4 projections.</summary>
    public static List<IGenerationRunner> Ours(LlamaConfig config, ITensorStore weights, int threads, bool int4)
    {
        var settings = new SessionSettings { Threads = threads };
        var fp32Bytes = WeightLayout.ParameterCount(config) * 4.0;
        var runners = new List<IGenerationRunner>
        {
            new OrtRunner("plain", "attention=plain", fp32Bytes, false, ModelLoader.CreateDecoder(config, weights, settings, attention: AttentionKind.Plain)),
            new OrtRunner("gqa", "attention=gqa", fp32Bytes, false, ModelLoader.CreateDecoder(config, weights, settings, attention: AttentionKind.Gqa)),
        };
        if (int4)
        {
            // The head too: llama.cpp's q4_0 file (GgufQuants, --pure) quantises token_embd/output like every matrix.
            var linear = new Int4Linear(weights, new Int4Options { BlockSize = 32, QuantizeHead = true });
            var graph = new DecodingGraphBuilder(config, attention: AttentionKind.Gqa.ForDecoding(), linear: linear, headLinear: linear).Build(weights);
            var session = new DecoderSession(settings.CreateSession(OnnxExport.ToBytes(graph)), config);
            runners.Add(new OrtRunner("int4 gqa", "attention=gqa weights=int4", WeightLayout.ParameterCount(config) * Int4BytesPerWeight, true, session));
        }
        return runners;
    }

    /// <summary>llama.cpp on <paramref name="f32Path"/> and <paramref name="q4Path"/> (GGUFs of the same weights).</summary>
    public static List<IGenerationRunner> LlamaCpp(LlamaConfig config, string f32Path, string q4Path, int threads) =>
    [
        new LlamaCppRunner("llama.cpp f32", "peer=llama.cpp quant=f32", WeightLayout.ParameterCount(config) * 4.0, false, config.BosTokenId, LlamaCppModel.Load(f32Path, threads, config.MaxPositionEmbeddings)),
        new LlamaCppRunner("llama.cpp q4_0", "peer=llama.cpp quant=q4_0", WeightLayout.ParameterCount(config) * Q4_0BytesPerWeight, true, config.BosTokenId, LlamaCppModel.Load(q4Path, threads, config.MaxPositionEmbeddings)),
    ];

    private sealed class OrtRunner(string name, string setting, double weightBytes, bool fourBit, DecoderSession decoder) : IGenerationRunner
    {
        private readonly Generator _generator = new(decoder);
        public string Name => name;
        public string Setting => setting;
        public double WeightBytes => weightBytes;
        public bool FourBit => fourBit;
        public bool IsPeer => false;

        public List<int> Greedy(int steps) => _generator.Generate([[decoder.Config.BosTokenId]], new GenerationOptions { Steps = steps })[0];

        public float[] PromptLogits(int[] prompt)
        {
            using var cache = decoder.NewCache(1);
            return decoder.Forward([.. prompt.Select(t => (long)t)], [.. Enumerable.Range(0, prompt.Length).Select(i => (long)i)], [.. Enumerable.Repeat(1L, prompt.Length)], 1, cache);
        }

        public double PromptRate(int[] prompt)
        {
            var w = Stopwatch.StartNew();
            PromptLogits(prompt);
            return prompt.Length / w.Elapsed.TotalSeconds;
        }

        public double GenerateRate(int steps)
        {
            var w = Stopwatch.StartNew();
            var seq = Greedy(steps);
            return (seq.Count - 1) / w.Elapsed.TotalSeconds;
        }

        public void Dispose() => decoder.Dispose();
    }

    private sealed class LlamaCppRunner(string name, string setting, double weightBytes, bool fourBit, int bos, LlamaCppModel model) : IGenerationRunner
    {
        public string Name => name;
        public string Setting => setting;
        public double WeightBytes => weightBytes;
        public bool FourBit => fourBit;
        public bool IsPeer => true;

        public List<int> Greedy(int steps) => model.Greedy([bos], steps);

        public float[] PromptLogits(int[] prompt) => [.. model.Logits(prompt).SelectMany(row => row)];

        public double PromptRate(int[] prompt)
        {
            var w = Stopwatch.StartNew();
            model.Evaluate(prompt, 0);   // logits for every position, as our decoder computes them
            return prompt.Length / w.Elapsed.TotalSeconds;
        }

        public double GenerateRate(int steps)
        {
            var w = Stopwatch.StartNew();
            var seq = model.Greedy([bos], steps);
            return (seq.Count - 1) / w.Elapsed.TotalSeconds;
        }

        public void Dispose() => model.Dispose();
    }
}
