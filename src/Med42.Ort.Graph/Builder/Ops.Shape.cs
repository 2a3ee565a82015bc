// Shape manipulation ops. Where the output shape depends on runtime values, callers pass it.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph;

public sealed partial class GraphBuilder
{
    /// <summary>The runtime shape of <paramref name="x"/> (optionally dims [start, end)).</summary>
    public Value Shape(Value x, long? start = null, long? end = null)
    {
        var rank = x.Shape?.Length;
        Dim[]? outShape = null;
        if (rank is int r)
        {
            var s = start is long st ? (int)(st < 0 ? st + r : st) : 0;
            var e = end is long en ? (int)(en < 0 ? en + r : en) : r;
            outShape = [Dim.Of(Math.Max(0, e - s))];
        }
        return Op("Shape", [x], DType.I64, outShape, Attrs(("start", start is long a ? new IntAttr(a) : null), ("end", end is long b ? new IntAttr(b) : null)));
    }

    /// <summary>Reshape with ONNX semantics for <paramref name="spec"/> (0 copies a dim, −1 is inferred).</summary>
    public Value Reshape(Value x, long[] spec, Dim[]? outShape = null)
    {
        if (outShape is null && x.Shape is not null)
        {
            outShape = new Dim[spec.Length];
            var inferAt = -1;
            for (var i = 0; i < spec.Length; i++)
            {
                if (spec[i] == 0) outShape[i] = x.Shape[i];
                else if (spec[i] == -1) inferAt = i;
                else outShape[i] = Dim.Of(spec[i]);
            }
            if (inferAt >= 0) outShape[inferAt] = InferReshapeDim(x.Shape, outShape, inferAt);
        }
        return Op("Reshape", [x, Ints(spec)], x.Type, outShape);
    }

    /// <summary>Reshape to a runtime shape tensor.</summary>
    public Value Reshape(Value x, Value shape, Dim[]? outShape) => Op("Reshape", [x, shape], x.Type, outShape);

    private static Dim InferReshapeDim(Dim[] input, Dim[] output, int at)
    {
        var total = input.Aggregate(Dim.Of(1), (a, d) => a * d);
        var known = output.Where((_, i) => i != at).Aggregate(Dim.Of(1), (a, d) => a * d);
        if (total.IsFixed && known.IsFixed) return Dim.Of(total.Size!.Value / known.Size!.Value);
        // Cancel a shared symbolic factor when the rest is fixed: [B,T,H,D] → [B,T,-1].
        var inFixed = input.Where(d => d.IsFixed).Aggregate(1L, (a, d) => a * d.Size!.Value);
        var outFixed = output.Where((d, i) => i != at && d.IsFixed).Aggregate(1L, (a, d) => a * d.Size!.Value);
        var inSyms = input.Where(d => !d.IsFixed).Select(d => d.Symbol!).OrderBy(s => s, StringComparer.Ordinal).ToList();
        var outSyms = output.Where((d, i) => i != at && !d.IsFixed).Select(d => d.Symbol!).ToList();
        foreach (var s in outSyms) if (!inSyms.Remove(s)) return Dim.Sym($"reshape_{at}");
        var rest = inSyms.Aggregate(Dim.Of(inFixed / Math.Max(1, outFixed)), (a, s) => a * Dim.Sym(s));
        return rest;
    }

    public Value Transpose(Value x, params long[] perm) =>
        Op("Transpose", [x], x.Type, x.Shape is null ? null : perm.Select(p => x.Shape[p]).ToArray(), Attrs(("perm", perm)));

    public Value Unsqueeze(Value x, params long[] axes)
    {
        Dim[]? shape = null;
        if (x.Shape is not null)
        {
            var rank = x.Rank + axes.Length;
            var norm = axes.Select(a => Shapes.NormalizeAxis(a, rank)).ToHashSet();
            var list = new List<Dim>();
            var src = 0;
            for (var i = 0; i < rank; i++) list.Add(norm.Contains(i) ? Dim.Of(1) : x.Shape[src++]);
            shape = [.. list];
        }
        return Op("Unsqueeze", [x, Ints(axes)], x.Type, shape);
    }

    public Value Squeeze(Value x, params long[] axes)
    {
        Dim[]? shape = null;
        if (x.Shape is not null)
        {
            var norm = axes.Select(a => Shapes.NormalizeAxis(a, x.Rank)).ToHashSet();
            shape = x.Shape.Where((_, i) => !norm.Contains(i)).ToArray();
        }
        return Op("Squeeze", [x, Ints(axes)], x.Type, shape);
    }

    public Value Concat(long axis, params Value[] parts)
    {
        Dim[]? shape = null;
        if (parts.All(p => p.Shape is not null))
        {
            var rank = parts[0].Rank;
            var a = Shapes.NormalizeAxis(axis, rank);
            shape = (Dim[])parts[0].Shape!.Clone();
            shape[a] = parts.Skip(1).Aggregate(parts[0].Shape![a], (acc, p) => acc + p.Shape![a]);
        }
        return Op("Concat", parts, parts[0].Type, shape, Attrs(("axis", axis)));
    }

    /// <summary>Static slice along axes with constant starts/ends/steps.</summary>
    public Value Slice(Value x, long[] starts, long[] ends, long[] axes, long[]? steps = null, Dim[]? outShape = null)
    {
        if (outShape is null && x.Shape is not null)
        {
            outShape = (Dim[])x.Shape.Clone();
            for (var i = 0; i < axes.Length; i++)
            {
                var a = Shapes.NormalizeAxis(axes[i], x.Rank);
                var step = steps?[i] ?? 1;
                var d = x.Shape[a];
                if (d.IsFixed && step > 0)
                {
                    var n = d.Size!.Value;
                    var s = Math.Clamp(starts[i] < 0 ? starts[i] + n : starts[i], 0, n);
                    var e = Math.Clamp(ends[i] < 0 ? ends[i] + n : ends[i], 0, n);
                    outShape[a] = Dim.Of(Math.Max(0, (e - s + step - 1) / step));
                }
                else if (starts[i] >= 0 && ends[i] >= 0 && ends[i] < long.MaxValue / 2 && step == 1)
                    outShape[a] = Dim.Of(ends[i] - starts[i]);
                else outShape[a] = Dim.Sym($"{d}_slice");
            }
        }
        Value?[] inputs = steps is null ? [x, Ints(starts), Ints(ends), Ints(axes)] : [x, Ints(starts), Ints(ends), Ints(axes), Ints(steps)];
        return Op("Slice", inputs, x.Type, outShape);
    }

    /// <summary>Slice with runtime starts/ends (1-D int64 tensors).</summary>
    public Value Slice(Value x, Value starts, Value ends, Value axes, Dim[]? outShape) =>
        Op("Slice", [x, starts, ends, axes], x.Type, outShape);

    public Value[] Split(Value x, long axis, params long[] sizes)
    {
        var outs = new (DType, Dim[]?)[sizes.Length];
        for (var i = 0; i < sizes.Length; i++)
        {
            Dim[]? s = null;
            if (x.Shape is not null)
            {
                s = (Dim[])x.Shape.Clone();
                s[Shapes.NormalizeAxis(axis, x.Rank)] = Dim.Of(sizes[i]);
            }
            outs[i] = (x.Type, s);
        }
        return OpN("Split", [x, Ints(sizes)], outs, Attrs(("axis", axis)));
    }

    public Value Expand(Value x, Value shape, Dim[]? outShape) => Op("Expand", [x, shape], x.Type, outShape);

    /// <summary>Gather along <paramref name="axis"/> (embedding lookup with axis 0).</summary>
    public Value Gather(Value data, Value indices, long axis = 0)
    {
        Dim[]? shape = null;
        if (data.Shape is not null && indices.Shape is not null)
        {
            var a = Shapes.NormalizeAxis(axis, data.Rank);
            shape = [.. data.Shape[..a], .. indices.Shape, .. data.Shape[(a + 1)..]];
        }
        return Op("Gather", [data, indices], data.Type, shape, Attrs(("axis", axis)));
    }

    public Value GatherElements(Value data, Value indices, long axis) =>
        Op("GatherElements", [data, indices], data.Type, indices.Shape, Attrs(("axis", axis)));

    /// <summary>[start, limit) with step, 1-D (all three scalars of one type).</summary>
    public Value Range(Value start, Value limit, Value delta, Dim length) => Op("Range", [start, limit, delta], start.Type, [length]);

    public Value ConstantOfShape(Value shape, TensorSource scalar1, Dim[]? outShape) =>
        Op("ConstantOfShape", [shape], scalar1.Type, outShape, Attrs(("value", new TensorAttr(scalar1))));
}
