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
        var values = store.ReadFloat32(spec.Name);
        var (rows, cols) = transpose ? (spec.Shape[0], spec.Shape[1]) : (1L, values.LongLength);
        // Convert (and transpose) in small chunks so only one float32 copy of the tensor is ever resident.
        const int chunk = 1 << 16;
        var floats = new float[chunk];
        var bytes = new byte[chunk * storageType.Size()];
        for (long start = 0; start < values.LongLength; start += chunk)
        {
            var n = (int)Math.Min(chunk, values.LongLength - start);
            for (var i = 0; i < n; i++)
            {
                // Output element k of the [cols, rows] transpose is source element (k % rows, k / rows).
                var k = start + i;
                floats[i] = transpose ? values[(k % rows) * cols + k / rows] : values[k];
            }
            if (storageType == DType.F64)
            {
                var d = MemoryMarshal.Cast<byte, double>(bytes.AsSpan(0, n * 8));
                for (var i = 0; i < n; i++) d[i] = floats[i];
            }
            else FloatConvert.FromFloat32(storageType, floats.AsSpan(0, n), bytes);
            stream.Write(bytes, 0, n * storageType.Size());
        }
    }
}
