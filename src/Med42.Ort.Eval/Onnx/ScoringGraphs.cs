// The two ONNX Runtime sessions of the fast scoring path, built from one checkpoint (any ITensorStore,
// with an optional linear factory such as LoRA applied on the fly):
//   prefix:  input_ids, attention_mask, position_ids, past_key_values.* → present.*   (no LM head)
//   scoring: the same + targets [B,T] → target_log_probs [B,T], target_is_greedy [B,T]
// The scoring graph computes log-softmax in-graph (LlamaHead.TargetLogProbs), so only [B,T] floats
// leave the session instead of [B,T,V] logits.
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
    public const string Targets = "targets";
    public const string TargetLogProbs = "target_log_probs";
    public const string TargetIsGreedy = "target_is_greedy";

    private ScoringGraphs(LlamaConfig config, InferenceSession prefix, InferenceSession scoring)
    {
        Config = config;
        Prefix = prefix;
        Scoring = scoring;
    }

    public LlamaConfig Config { get; }

    /// <summary>Runs a prefix and returns only its keys and values (present.*).</summary>
    public InferenceSession Prefix { get; }

    /// <summary>Continues from a past and returns the targets' log-probabilities and greedy flags.</summary>
    public InferenceSession Scoring { get; }

    /// <param name="linear">The projections' linear factory (plain when null; LoraLinear for base + adapter).</param>
    public static ScoringGraphs Create(LlamaConfig config, ITensorStore weights, SessionSettings settings, ILinearFactory? linear = null)
    {
        linear ??= PlainLinear.Instance;
        var prefixGraph = LlamaDecoder.Build(config, weights, DType.F32, new LlamaGraphOptions { KvCache = true, Head = LlamaHead.Logits, Linear = linear });
        GraphOutputs.Prune(prefixGraph, name => name.StartsWith("present.", StringComparison.Ordinal));
        var scoringGraph = LlamaDecoder.Build(config, weights, DType.F32, new LlamaGraphOptions { KvCache = true, Head = LlamaHead.TargetLogProbs, Linear = linear });
        GraphOutputs.Prune(scoringGraph, name => name is TargetLogProbs or TargetIsGreedy);
        var prefix = settings.CreateSession(OnnxExport.ToBytes(prefixGraph));
        try
        {
            return new ScoringGraphs(config, prefix, settings.CreateSession(OnnxExport.ToBytes(scoringGraph)));
        }
        catch
        {
            prefix.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Prefix.Dispose();
        Scoring.Dispose();
    }
}
