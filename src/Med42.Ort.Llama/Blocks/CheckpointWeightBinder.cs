// Binds weights as initializers read lazily from a checkpoint store (inference export): each tensor
// is read, converted (and transposed for linears) only while the model file is being written.
using System.Runtime.InteropServices;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public sealed class CheckpointWeightBinder(ITensorStore store, DType storageType, DType computeType) : IWeightBinder
{
    private readonly Dictionary<string, Value> _bound = new(StringComparer.Ordinal);

    public Value Get(GraphBuilder b, WeightSpec spec) => Bind(b, spec.Name, spec, transpose: false);

    public Value GetTransposed(GraphBuilder b, WeightSpec spec) => Bind(b, spec.Name + ".T", spec, transpose: true);

    private Value Bind(GraphBuilder b, string name, WeightSpec spec, bool transpose)
    {
        if (!_bound.TryGetValue(name, out var value))
        {
            var shape = transpose ? new[] { spec.Shape[1], spec.Shape[0] } : spec.Shape;
            value = _bound[name] = b.Initializer(name, TensorSource.Deferred(storageType, shape, s => Write(s, spec, transpose)));
        }
        return b.Cast(value, computeType);
    }

    private void Write(Stream stream, WeightSpec spec, bool transpose)
    {
        var info = store.Info(spec.Name);
        if (!info.Shape.SequenceEqual(spec.Shape))
            throw new Core.Errors.Med42Exception($"{store.Source}: tensor '{spec.Name}' has shape {info.ShapeText}, expected [{string.Join(",", spec.Shape)}]");
        if (storageType == DType.F64)
        {
            var f = store.ReadFloat32(spec.Name);
            var d = new double[f.Length];
            if (transpose) Transpose(f.Select(v => (double)v).ToArray(), d, spec.Shape[0], spec.Shape[1]);
            else for (var i = 0; i < f.Length; i++) d[i] = f[i];
            stream.Write(MemoryMarshal.AsBytes(d.AsSpan()));
            return;
        }
        var values = store.ReadFloat32(spec.Name);
        if (transpose)
        {
            var t = new float[values.Length];
            Transpose(values, t, spec.Shape[0], spec.Shape[1]);
            values = t;
        }
        var raw = new byte[values.Length * storageType.Size()];
        FloatConvert.FromFloat32(storageType, values, raw);
        stream.Write(raw);
    }

    private static void Transpose<T>(T[] src, T[] dst, long rows, long cols)
    {
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < cols; c++)
                dst[c * rows + r] = src[r * cols + c];
    }
}
