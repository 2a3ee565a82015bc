// The ONNX Runtime session of the fast scoring path, built from one checkpoint (any ITensorStore, with an
// optional linear factory such as LoRA applied on the fly):
//   input_ids, position_ids, segment_ids [B,T], score_positions, targets [B,S]   (ScoringGraphBuilder.SharedContext)
//     → target_log_probs [B,S], target_is_greedy [B,S]
// One row holds a question's context once (segment 1) followed by each option's continuation (segments
// 2, 3, …) that sees the context and itself only, with positions restarting after the context: the context
// runs once, with no KV cache to copy per option. The LM head and log-softmax run on the S scored rows only,
// so [B,S] floats leave the session instead of [B,T,V] logits.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Eval.Onnx;

public sealed class ScoringGraphs : IDisposable
{
    private ScoringGraphs(LlamaConfig config, InferenceSession scoring)
    {
        Config = config;
        Scoring = scoring;
    }

    public LlamaConfig Config { get; }

    /// <summary>Scores shared-context rows: the targets' log-probabilities and greedy flags at the chosen positions.</summary>
    public InferenceSession Scoring { get; }

    /// <param name="linear">The projections' linear factory (plain when null; LoraLinear for base + adapter).</param>
    /// <param name="attention">MultiHeadAttention (fused, default) or PlainAttention (benchmarks compare them).</param>
    public static ScoringGraphs Create(LlamaConfig config, ITensorStore weights, SessionSettings settings, ILinearFactory? linear = null,
        IFullSequenceAttention? attention = null)
    {
        var graph = new ScoringGraphBuilder(config, attention: attention ?? MultiHeadAttention.Instance, linear: linear).SharedContext(weights);
        return new ScoringGraphs(config, settings.CreateSession(OnnxExport.ToBytes(graph)));
    }

    public void Dispose() => Scoring.Dispose();
}
