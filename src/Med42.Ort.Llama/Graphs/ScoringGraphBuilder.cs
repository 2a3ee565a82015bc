// Graphs that score text without a KV cache: whole rows in, one forward.
// SharedContext (the fast scorer, Eval/Onnx/ScoringGraphs):
//   input_ids, segment_ids, position_ids [B,T]: a context once (segment 1), then each continuation (2, 3, …)
//   seeing the context and itself (AttentionMask.Packed with a shared segment), positions restarting after it;
//   score_positions, targets [B,S] ─(stack; LM head on the S scored rows only)─ log_softmax ─GatherElements─
//     → target_log_probs [B,S], target_is_greedy [B,S]
// FullSequence (the plain reference: logits at every position, causal + padding mask):
//   input_ids, attention_mask, position_ids [B,T] → logits [B,T,V]
// Attention: plain or MultiHeadAttention (IFullSequenceAttention). Test: tests/Med42.Ort.Eval.Tests/Onnx/SharedContextRowTests.cs.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

public sealed class ScoringGraphBuilder
{
    public const string Targets = "targets";
    public const string TargetLogProbs = "target_log_probs";
    public const string TargetIsGreedy = "target_is_greedy";

    private readonly LlamaTrunk _trunk;
    private readonly IFullSequenceAttention _attention;

    /// <param name="precision">F32 (default), F16, or F64 (reference checks).</param>
    /// <param name="attention">PlainAttention (default) or MultiHeadAttention.</param>
    /// <exception cref="Core.Errors.Med42Exception">The attention or kernels cannot run with the other choices.</exception>
    public ScoringGraphBuilder(LlamaConfig config, Precision? precision = null, IFullSequenceAttention? attention = null,
        INormKernels? kernels = null, ILinearFactory? linear = null, ILinearFactory? headLinear = null)
    {
        _attention = attention ?? PlainAttention.Instance;
        _trunk = new LlamaTrunk(config, _attention, precision, kernels, linear, headLinear);
    }

    /// <summary>The shared-context scoring graph over <paramref name="weights"/>.</summary>
    public IrGraph SharedContext(ITensorStore weights)
    {
        var b = new GraphBuilder("llama_decoder");
        SharedContext(b, _trunk.Bind(weights));
        return b.Graph;
    }

    public void SharedContext(GraphBuilder b, IWeightBinder weights)
    {
        var (inputIds, segmentIds, positionIds) = LlamaTrunk.Inputs(b, "segment_ids", LlamaGraph.Sequence);
        using var _ = b.Scope("model");
        var parts = _trunk.Parts(weights);
        var stack = _attention.Prepare(b, parts, AttentionMask.Packed(b, segmentIds, LlamaGraph.SharedSegment), positionIds);
        var x = LlamaTrunk.Embed(b, parts, inputIds);
        var scorePositions = b.Input(LlamaGraph.ScorePositions, DType.I64, LlamaGraph.Batch, LlamaGraph.Scored);
        var logits = _trunk.Logits(b, parts, stack.Build(b, x, scorePositions));                           // [B,S,V]

        using var __ = b.Scope("scoring");
        var targets = b.Input(Targets, DType.I64, LlamaGraph.Batch, LlamaGraph.Scored);
        var logProbs = b.LogSoftmax(logits, -1);
        var picked = b.Squeeze(b.GatherElements(logProbs, b.Unsqueeze(targets, -1), -1), -1);                 // [B,S]
        var greedy = b.Equal(b.ArgMax(logits, -1), targets);                                                // [B,S]
        b.Output(picked, TargetLogProbs);
        b.Output(greedy, TargetIsGreedy);
    }

    /// <summary>The full-sequence logits graph over <paramref name="weights"/>.</summary>
    public IrGraph FullSequence(ITensorStore weights)
    {
        var b = new GraphBuilder("llama_decoder");
        FullSequence(b, _trunk.Bind(weights));
        return b.Graph;
    }

    /// <summary>Builds the full-sequence graph into <paramref name="b"/>; returns its logits output [B,T,V].</summary>
    public Value FullSequence(GraphBuilder b, IWeightBinder weights)
    {
        var (inputIds, attentionMask, positionIds) = LlamaTrunk.Inputs(b, "attention_mask", LlamaGraph.Sequence);
        using var _ = b.Scope("model");
        var parts = _trunk.Parts(weights);
        var stack = _attention.Prepare(b, parts, AttentionMask.CausalWithPadding(b, attentionMask, inputIds), positionIds);
        var logits = _trunk.Logits(b, parts, stack.Build(b, LlamaTrunk.Embed(b, parts, inputIds), null));
        b.Output(logits, "logits");
        return logits;
    }
}
