// Slice with constant starts/ends/axes and step 1: dx = g zero-padded back to x's shape (Pad). The pads
// need x's dim on each sliced axis, or a start ≥ 0 with an end that is negative or "to the end".
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff.Rules;

internal static class SliceGrad
{
    public static Value?[] Backward(GradientContext g)
    {
        var x = g.X(0);
        var (starts, ends) = (g.ConstInts(1)!, g.ConstInts(2)!);
        var axes = g.ConstInts(3) ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = g.ConstInts(4);
        var rank = x.Rank;
        var pads = new long[2 * rank];
        for (var k = 0; k < axes.Length; k++)
        {
            if (steps is not null && steps[k] != 1) throw new NotSupportedException($"{g.Node.Name}: Slice gradient with step {steps[k]}");
            var a = Shapes.NormalizeAxis(axes[k], rank);
            var dim = x.Shape![a];
            if (dim.IsFixed)
            {
                var n = dim.Size!.Value;
                var s = Math.Clamp(starts[k] < 0 ? starts[k] + n : starts[k], 0, n);
                var e = Math.Clamp(ends[k] < 0 ? ends[k] + n : ends[k], s, n);
                (pads[a], pads[a + rank]) = (s, n - e);
            }
            else if (starts[k] >= 0 && (ends[k] < 0 || ends[k] >= int.MaxValue))
                (pads[a], pads[a + rank]) = (starts[k], ends[k] < 0 ? -ends[k] : 0);
            else throw new NotSupportedException($"{g.Node.Name}: Slice gradient on symbolic dim {dim} with start {starts[k]}, end {ends[k]}");
        }
        return g.Grads(g.B.PadZeros(g.D, pads, x.Shape));
    }
}
