// Builder helpers the autodiff rules (and training graphs) need: zeros, scatter-add, pad, Gemm, Sum,
// SoftmaxCrossEntropyLoss. Only ops ONNX Runtime implements on both CPU and CUDA.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph;

public sealed partial class GraphBuilder
{
    /// <summary>Zeros with the runtime shape of <paramref name="x"/> (ConstantOfShape).</summary>
    public Value ZerosLike(Value x) =>
        ConstantOfShape(Shape(x), TensorSource.FromBytes(x.Type, [1], new byte[x.Type.Size()]), x.Shape);

    /// <summary>Element count of <paramref name="x"/> as an int64 scalar.</summary>
    public Value Size(Value x) => Op("Size", [x], DType.I64, []);

    /// <summary>Indices of the non-zero elements, [rank(x), n].</summary>
    public Value NonZero(Value x) => Op("NonZero", [x], DType.I64, x.Shape is null ? null : [Dim.Of(x.Rank), Dim.Sym($"{x.Name}_nonzero")]);

    /// <summary>Sum over runtime <paramref name="axes"/>; an empty axes tensor is a no-op (noop_with_empty_axes).</summary>
    public Value ReduceSumKeep(Value x, Value axes, Dim[]? outShape) =>
        Op("ReduceSum", [x, axes], x.Type, outShape, Attrs(("keepdims", 1), ("noop_with_empty_axes", 1)));

    /// <summary>Element-wise sum of any number of same-type tensors.</summary>
    public Value Sum(params Value[] parts)
    {
        if (parts.Length == 1) return parts[0];
        if (parts.Length == 2) return Add(parts[0], parts[1]);
        Dim[]? shape = parts.All(p => p.Shape is not null) ? parts.Skip(1).Aggregate(parts[0].Shape!, (s, p) => Shapes.Broadcast(s, p.Shape!)) : null;
        return Op("Sum", parts, parts[0].Type, shape);
    }

    /// <summary>alpha·op(A)·op(B) + beta·C (2-D).</summary>
    public Value Gemm(Value a, Value b, Value? c, double alpha, double beta, bool transA, bool transB)
    {
        Dim[]? shape = a.Shape is { Length: 2 } sa && b.Shape is { Length: 2 } sb ? [transA ? sa[1] : sa[0], transB ? sb[0] : sb[1]] : null;
        return Op("Gemm", c is null ? [a, b] : [a, b, c], a.Type, shape,
            Attrs(("alpha", (float)alpha), ("beta", (float)beta), ("transA", transA ? 1 : 0), ("transB", transB ? 1 : 0)));
    }

    /// <summary>com.microsoft FusedMatMul: alpha·op(A)·op(B), transposes on the last two axes.</summary>
    public Value FusedMatMul(Value a, Value b, double alpha, bool transA, bool transB)
    {
        Dim[]? shape = null;
        if (a.Shape is { Length: >= 2 } sa && b.Shape is { Length: >= 2 } sb)
            shape = [.. Shapes.Broadcast(sa[..^2], sb[..^2]), transA ? sa[^1] : sa[^2], transB ? sb[^2] : sb[^1]];
        return Op("FusedMatMul", [a, b], a.Type, shape,
            Attrs(("alpha", (float)alpha), ("transA", transA ? 1 : 0), ("transB", transB ? 1 : 0)), MicrosoftDomain);
    }

    /// <summary>data with updates added at indices[..., :k] (ScatterND reduction="add", opset 16+); duplicates accumulate.</summary>
    public Value ScatterNDAdd(Value data, Value indices, Value updates) =>
        Op("ScatterND", [data, indices, updates], data.Type, data.Shape, Attrs(("reduction", "add")));

    /// <summary>data with updates written at indices along <paramref name="axis"/> (ScatterElements, no reduction: indices must not repeat).</summary>
    public Value ScatterElements(Value data, Value indices, Value updates, long axis) =>
        Op("ScatterElements", [data, indices, updates], data.Type, data.Shape, Attrs(("axis", axis)));

    /// <summary>data with updates added along <paramref name="axis"/> (ScatterElements reduction="add", opset 16+).</summary>
    public Value ScatterElementsAdd(Value data, Value indices, Value updates, long axis) =>
        Op("ScatterElements", [data, indices, updates], data.Type, data.Shape, Attrs(("axis", axis), ("reduction", "add")));

    /// <summary>Zero padding: <paramref name="pads"/> = [begin_0.., end_0..].</summary>
    public Value PadZeros(Value x, long[] pads, Dim[]? outShape) => Op("Pad", [x, Ints(pads)], x.Type, outShape, Attrs(("mode", "constant")));

    /// <summary>
    /// ONNX SoftmaxCrossEntropyLoss over scores [N, C, d…] and int64 labels [N, d…]; targets equal to
    /// <paramref name="ignoreIndex"/> are skipped and "mean" divides by the count of the others.
    /// </summary>
    public Value SoftmaxCrossEntropyLoss(Value scores, Value labels, long? ignoreIndex = -100, string reduction = "mean") =>
        Op("SoftmaxCrossEntropyLoss", [scores, labels], scores.Type, reduction == "none" ? labels.Shape : [],
            Attrs(("ignore_index", ignoreIndex is long i ? new IntAttr(i) : null), ("reduction", reduction)));
}
