// What a gradient rule sees: the forward node, its output gradients, which inputs need gradients,
// and shared helpers (reducing a broadcast gradient back to an input's shape, reading constant ints).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff;

public sealed class GradientContext
{
    private readonly Value?[] _dy;
    private readonly bool[] _needs;

    internal GradientContext(GraphBuilder b, Node node, Value?[] dy, bool[] needs)
    {
        B = b;
        Node = node;
        _dy = dy;
        _needs = needs;
    }

    public GraphBuilder B { get; }
    public Node Node { get; }

    public Value X(int i) => Node.Inputs[i] ?? throw new InvalidOperationException($"{Node.Name}: input {i} is omitted");
    public Value Y(int i = 0) => Node.Outputs[i];

    /// <summary>The gradient of output <paramref name="i"/>, null when nothing downstream depends on it.</summary>
    public Value? Dy(int i = 0) => i < _dy.Length ? _dy[i] : null;

    /// <summary>The gradient of output <paramref name="i"/>; zeros of its shape when it has none.</summary>
    public Value DyOrZeros(int i) => Dy(i) ?? B.ZerosLike(Y(i));

    /// <summary>The gradient of the single-output node's output (never null: rules only run when some output has one).</summary>
    public Value D => Dy(0) ?? throw new InvalidOperationException($"{Node.Name}: no output gradient");

    public bool Needs(int i) => i < _needs.Length && _needs[i];

    public Value?[] Grads(params Value?[] perInput)
    {
        var result = new Value?[Node.Inputs.Count];
        for (var i = 0; i < result.Length && i < perInput.Length; i++) result[i] = Needs(i) ? perInput[i] : null;
        return result;
    }

    public Value Scalar(double v, DType type) => B.Scalar(v, type);

    /// <summary>The values of a constant int64 input (an initializer), or null when omitted.</summary>
    public long[]? ConstInts(int i)
    {
        if (i >= Node.Inputs.Count || Node.Inputs[i] is not Value v) return null;
        var init = B.Graph.FindInitializer(v.Name)
            ?? throw new NotSupportedException($"{Node.Name}: input {i} ('{v.Name}') must be a constant for its gradient rule");
        var raw = init.Data.ToArray();
        return init.Data.Type switch
        {
            DType.I64 => Enumerable.Range(0, raw.Length / 8).Select(k => BitConverter.ToInt64(raw, k * 8)).ToArray(),
            DType.I32 => Enumerable.Range(0, raw.Length / 4).Select(k => (long)BitConverter.ToInt32(raw, k * 4)).ToArray(),
            _ => throw new NotSupportedException($"{Node.Name}: input {i} is {init.Data.Type}, expected int64"),
        };
    }

    /// <summary>[..., M, N] → [..., N, M].</summary>
    public Value TransposeLast2(Value x)
    {
        var perm = Enumerable.Range(0, x.Rank).Select(i => (long)i).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return B.Transpose(x, perm);
    }

    /// <summary>Reshapes <paramref name="grad"/> to the (runtime) shape of <paramref name="like"/>; static when fully known.</summary>
    public Value ReshapeLike(Value grad, Value like) =>
        like.Shape is { } s && s.All(d => d.IsFixed)
            ? B.Reshape(grad, B.Ints(s.Select(d => d.Size!.Value).ToArray()), s)
            : B.Reshape(grad, B.Shape(like), like.Shape);

    /// <summary>
    /// Sums a gradient of a broadcast result back to <paramref name="target"/>'s shape: over leading extra
    /// axes and axes where the target's dim is 1. Decided from static shapes (equal symbols need no
    /// reduction); when a symbolic target dim might be 1 at run time, the axes are computed at run time.
    /// </summary>
    public Value ReduceTo(Value grad, Value target)
    {
        if (grad.Shape is not { } gs || target.Shape is not { } ts || gs.Length < ts.Length)
            throw new NotSupportedException($"{Node.Name}: cannot reduce gradient {grad} to {target} without ranks");
        var extra = gs.Length - ts.Length;
        var axes = Enumerable.Range(0, extra).Select(i => (long)i).ToList();
        var decidable = true;
        for (var i = 0; i < ts.Length; i++)
        {
            var (t, o) = (ts[i], gs[i + extra]);
            if (t == o) continue;
            if (t.IsOne) axes.Add(i + extra);
            else if (t.IsFixed && o.IsFixed) throw new InvalidOperationException($"{Node.Name}: gradient {grad} does not broadcast to {target}");
            else if (!t.IsFixed) decidable = false;                 // a symbol that may be 1 at run time
            // else: the target dim is fixed and not 1, so the output dim equals it.
        }
        if (!decidable) return ReduceToDynamic(grad, target, extra);
        if (axes.Count == 0) return grad;
        var summed = B.ReduceSum(grad, [.. axes], keepDims: true);
        return extra == 0 ? summed : B.Op("Squeeze", [summed, B.Ints(Enumerable.Range(0, extra).Select(i => (long)i).ToArray())], grad.Type, ts);
    }

    // axes = positions where the target's shape, left-padded with ones to the gradient's rank, is 1.
    private Value ReduceToDynamic(Value grad, Value target, int extra)
    {
        var shape = B.Shape(target);
        var padded = extra == 0 ? shape : B.Concat(0, B.Ints(Enumerable.Repeat(1L, extra).ToArray()), shape);
        var axes = B.Reshape(B.NonZero(B.Equal(padded, B.Ints(1))), [-1], [Dim.Sym($"{grad.Name}_axes")]);
        var summed = B.ReduceSumKeep(grad, axes, null);
        return B.Reshape(summed, shape, target.Shape);
    }
}
