// Attention strategies: how a decoder's self-attention (and with it the layer stack) is built. Each strategy
// declares what it can do by the interfaces it implements, and each graph builder takes the one its purpose
// needs, so a wrong choice does not compile:
//   IKvCacheAttention       past/present per layer        PlainAttention, GroupQueryAttention   (decoding)
//   IFullSequenceAttention  whole rows, no cache          PlainAttention, MultiHeadAttention    (scoring)
//   IDifferentiableAttention  every op has a gradient rule  PlainAttention                      (training)
// What types cannot say (a precision or kernel choice a kernel refuses) Require rejects when the builder is made.
// Each strategy works in two steps, so node order (and names) stay fixed: Prepare runs once under /model
// before the embedding (masks, rotary caches), the stack it returns builds the layers and the final norm.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public interface IAttentionStrategy
{
    /// <summary>How error messages name the choice ("--attention gqa").</summary>
    string Name { get; }

    /// <summary>Throws a Med42Exception naming both choices when this attention cannot run with them.</summary>
    void Require(Precision precision, INormKernels kernels);
}

/// <summary>Attention over a per-layer KV cache: the decoder GenAI and the generator run.</summary>
public interface IKvCacheAttention : IAttentionStrategy
{
    /// <param name="attentionMask">[B,S] int64 over past and new tokens (1 = attend).</param>
    IKvCacheStack Prepare(GraphBuilder b, DecoderParts parts, Value inputIds, Value attentionMask, Value positionIds);
}

public interface IKvCacheStack
{
    /// <summary>The layers and final norm over the embedded <paramref name="x"/> [B,T,C]: hidden [B,T,C] and each layer's present.</summary>
    (Value Hidden, IReadOnlyList<KeyValue> Presents) Build(GraphBuilder b, Value x, IReadOnlyList<KeyValue> past);
}

/// <summary>Attention over whole rows without a cache, under any boolean mask (scoring, training).</summary>
public interface IFullSequenceAttention : IAttentionStrategy
{
    /// <param name="mask">[B,1,1,T,T] bool, true = masked (AttentionMask).</param>
    IFullSequenceStack Prepare(GraphBuilder b, DecoderParts parts, Value mask, Value positionIds);
}

public interface IFullSequenceStack
{
    /// <summary>The layers and final norm: hidden [B,T,C], or [B,S,C] at <paramref name="scorePositions"/> [B,S] when given.</summary>
    Value Build(GraphBuilder b, Value x, Value? scorePositions);
}

/// <summary>Full-sequence attention whose every op has a rule in Graph's autodiff (GradientRules): training graphs.</summary>
public interface IDifferentiableAttention : IFullSequenceAttention;
