// Where an initializer's bytes come from. Sources are lazy so a 7B model streams to disk tensor by
// tensor and is never held in managed memory as a whole.
using System.Runtime.InteropServices;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Graph.Ir;

public abstract class TensorSource
{
    protected TensorSource(DType type, long[] shape)
    {
        Type = type;
        Shape = shape;
    }

    public DType Type { get; }
    public long[] Shape { get; }
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
    public long ByteSize => ElementCount * Type.Size();

    /// <summary>Writes exactly <see cref="ByteSize"/> little-endian bytes.</summary>
    public abstract void WriteTo(Stream stream);

    public byte[] ToArray()
    {
        using var ms = new MemoryStream(checked((int)ByteSize));
        WriteTo(ms);
        return ms.ToArray();
    }

    public static TensorSource FromBytes(DType type, long[] shape, byte[] raw) => new BytesSource(type, shape, raw);

    public static TensorSource FromFloats(long[] shape, float[] values) => new BytesSource(DType.F32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    public static TensorSource FromDoubles(long[] shape, double[] values) => new BytesSource(DType.F64, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    public static TensorSource FromInt64s(long[] shape, long[] values) => new BytesSource(DType.I64, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>Deferred: <paramref name="write"/> is called when the model is saved.</summary>
    public static TensorSource Deferred(DType type, long[] shape, Action<Stream> write) => new DeferredSource(type, shape, write);

    private sealed class BytesSource(DType type, long[] shape, byte[] raw) : TensorSource(type, shape)
    {
        public byte[] Raw { get; } = raw.LongLength == shape.Aggregate(1L, (a, d) => a * d) * type.Size() ? raw
            : throw new ArgumentException($"{raw.Length} bytes for {type}[{string.Join(",", shape)}]");
        public override void WriteTo(Stream stream) => stream.Write(Raw);
    }

    private sealed class DeferredSource(DType type, long[] shape, Action<Stream> write) : TensorSource(type, shape)
    {
        public override void WriteTo(Stream stream)
        {
            var start = stream.CanSeek ? stream.Position : -1;
            write(stream);
            if (start >= 0 && stream.Position - start != ByteSize)
                throw new InvalidOperationException($"tensor source wrote {stream.Position - start} bytes, expected {ByteSize}");
        }
    }
}
