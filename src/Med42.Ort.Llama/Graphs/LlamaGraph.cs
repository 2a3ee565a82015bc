// The Llama decoder graph, composed from blocks. Inputs and outputs carry the names ONNX Runtime
// GenAI expects: input_ids [B,T], attention_mask [B,S], position_ids [B,T],
// past_key_values.{i}.key|value [B,Hkv,P,D] → logits [B,T,V], present.{i}.key|value [B,Hkv,S,D].
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Graphs;

public sealed record LlamaGraphValues(Value InputIds, Value? AttentionMask, Value? SegmentIds, Value PositionIds, Value Hidden, Value? Logits);

public static class LlamaGraph
{
    public const string Batch = "batch_size";
    public const string Sequence = "sequence_length";
    public const string Past = "past_sequence_length";
    public const string Total = "total_sequence_length";

    public const string Scored = "scored_length";
    public const string ScorePositions = "score_positions";

    /// <summary>The segment id of the shared context in <see cref="LlamaGraphOptions.SharedPrefixSegments"/> rows.</summary>
    public const long SharedSegment = 1;

    public static string PastKey(int layer) => $"past_key_values.{layer}.key";
    public static string PastValue(int layer) => $"past_key_values.{layer}.value";
    public static string PresentKey(int layer) => $"present.{layer}.key";
    public static string PresentValue(int layer) => $"present.{layer}.value";

    /// <summary>Builds the decoder into <paramref name="b"/> and marks its outputs.</summary>
    public static LlamaGraphValues Build(GraphBuilder b, LlamaConfig c, IWeightBinder weights, LlamaGraphOptions o)
    {
        var type = o.ComputeType;
        if (o.Kernels == LlamaKernels.Native && type != DType.F32)
            throw new Core.Errors.Med42Exception($"--kernels native: the ai.med42 ops are float32 only, compute type is {type} (use --kernels onnx)");
        var inputIds = b.Input("input_ids", DType.I64, Batch, Sequence);
        Value? attentionMask = null, segmentIds = null;
        if (o.PackedSegments && o.SharedPrefixSegments)
            throw new ArgumentException("PackedSegments and SharedPrefixSegments are two layouts of segment_ids: choose one");
        if (o.ScoredPositionsOnly && o.Head != LlamaHead.TargetLogProbs)
            throw new ArgumentException("ScoredPositionsOnly needs Head = TargetLogProbs");
        var segmented = o.PackedSegments || o.SharedPrefixSegments;
        if (segmented) segmentIds = b.Input("segment_ids", DType.I64, Batch, Sequence);
        else attentionMask = b.Input("attention_mask", DType.I64, Batch, o.KvCache ? Total : Sequence);
        var positionIds = b.Input("position_ids", DType.I64, Batch, Sequence);
        var past = new (Value K, Value V)[c.NumHiddenLayers];
        if (o.KvCache)
            for (var i = 0; i < c.NumHiddenLayers; i++)
                past[i] = (b.Input(PastKey(i), type, Batch, c.NumKeyValueHeads, Past, c.HeadDim),
                           b.Input(PastValue(i), type, Batch, c.NumKeyValueHeads, Past, c.HeadDim));

        using var model = b.Scope("model");
        var gqa = o.Attention == AttentionImpl.GroupQuery;
        if (gqa && (!o.KvCache || segmented || o.Head != LlamaHead.Logits || type == DType.F64 || o.Kernels != LlamaKernels.Onnx))
            throw new ArgumentException("GroupQueryAttention decoders are for inference: KvCache, attention_mask, logits head, F32/F16, onnx kernels");
        AttentionContext? ctx = null;
        GqaContext? gqaCtx = null;
        if (gqa)
        {
            var (seqLens, total) = GqaAttentionBlock.Lengths(b, attentionMask!);
            var (cos, sin) = GqaRotaryCache.Build(b, c, type);
            gqaCtx = new GqaContext(seqLens, total, positionIds, cos, sin, GqaAttentionBlock.CanFuseRotary(c), o.Linear, weights);
        }
        else
        {
            var mask = segmented
                ? AttentionMask.Packed(b, segmentIds!, o.SharedPrefixSegments ? SharedSegment : null)
                : AttentionMask.CausalWithPadding(b, attentionMask!, inputIds);
            var rotary = RotaryBlock.Create(b, c, positionIds, type, o.Kernels);
            MhaContext? mha = null;
            if (o.Attention == AttentionImpl.MultiHead)
            {
                if (o.KvCache || type is DType.F64 or DType.BF16 || o.Kernels != LlamaKernels.Onnx)
                    throw new ArgumentException("MultiHeadAttention decoders are for inference without a KV cache: F32/F16, onnx kernels");
                mha = new MhaContext(MhaAttentionBlock.Bias(b, mask, type));
            }
            ctx = new AttentionContext(mask, rotary, o.Linear, weights, mha);
        }
        var layout = WeightLayout.For(c);

        Value x;
        using (b.Scope("embed_tokens"))
            x = b.Gather(weights.Get(b, layout[0]), inputIds);                                  // [B,T,C]
        var presents = new List<(Value K, Value V)>();
        Value hidden;
        Value? scorePositions = null;
        ScoredRows? lastLayerRows = null;
        if (o.ScoredPositionsOnly)
        {
            scorePositions = b.Input(ScorePositions, DType.I64, Batch, Scored);
            // Through MultiHeadAttention the last layer's queries, attention output and MLP run on the scored
            // rows only (every row still supplies keys and values): the rest of that layer's work reaches nothing.
            if (ctx?.MultiHead is { } m)
                using (b.Scope("scored_rows"))
                    lastLayerRows = new ScoredRows(scorePositions, ctx.Rotary.At(b, RowGather.Along(b, positionIds, scorePositions, 1)),
                        RowGather.Along(b, m.Bias, scorePositions, 2));
        }
        if (gqa) (hidden, presents) = GqaDecoderStack.Build(b, c, x, gqaCtx!, past);
        else
        {
            for (var i = 0; i < c.NumHiddenLayers; i++)
            {
                var rows = i == c.NumHiddenLayers - 1 ? lastLayerRows : null;
                var (y, pk, pv) = DecoderLayerBlock.Build(b, c, i, x, ctx!, o.KvCache ? past[i].K : null, o.KvCache ? past[i].V : null, rows);
                x = y;
                if (o.KvCache) presents.Add((pk!, pv!));   // a cache implies the plain block, which presents both
            }
            using (b.Scope("norm"))
                hidden = RmsNormBlock.Build(b, x, weights.Get(b, layout.First(w => w.Name == WeightLayout.FinalNorm)), c.RmsNormEps, o.Kernels);
        }

        Value? logits = null;
        var headInput = hidden;
        if (scorePositions is not null && lastLayerRows is null)
            using (b.Scope("scored_rows"))
                headInput = RowGather.Along(b, hidden, scorePositions, 1);                            // [B,S,C]
        using (b.Scope("lm_head"))
            logits = o.HeadLinear.Build(b, headInput, WeightLayout.Head(c), weights);
        var outType = type == DType.F64 ? DType.F64 : DType.F32;
        logits = b.Cast(logits, outType);

        if (o.Head == LlamaHead.Logits) b.Output(logits, "logits");
        else
        {
            using var __ = b.Scope("scoring");
            var targets = b.Input("targets", DType.I64, Batch, o.ScoredPositionsOnly ? Scored : Sequence);
            var logProbs = b.LogSoftmax(logits, -1);                                                // [B,T,V]
            var picked = b.Squeeze(b.GatherElements(logProbs, b.Unsqueeze(targets, -1), -1), -1);  // [B,T]
            var greedy = b.Equal(b.ArgMax(logits, -1), targets);                                   // [B,T]
            b.Output(picked, "target_log_probs");
            b.Output(greedy, "target_is_greedy");
        }
        if (o.KvCache)
            for (var i = 0; i < presents.Count; i++)
            {
                b.Output(presents[i].K, PresentKey(i));
                b.Output(presents[i].V, PresentValue(i));
            }
        return new LlamaGraphValues(inputIds, attentionMask, segmentIds, positionIds, hidden, logits);
    }
}
