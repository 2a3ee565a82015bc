// A read-only set of named tensors (a checkpoint, a shard set, an in-memory model).
// Implementations read lazily: a 7B checkpoint is never copied into managed memory as a whole.
namespace Med42.Ort.Core.Tensors;

public interface ITensorStore : IDisposable
{
    /// <summary>Where the tensors come from (a file or folder), for error messages.</summary>
    string Source { get; }

    /// <summary>All tensors in a stable order (the order they are stored in).</summary>
    IReadOnlyList<TensorInfo> Tensors { get; }

    bool Contains(string name);

    /// <summary>Info of one tensor; throws <see cref="Errors.Med42Exception"/> naming the source when missing.</summary>
    TensorInfo Info(string name);

    /// <summary>Copies the raw little-endian bytes of a tensor (its stored dtype) into <paramref name="dest"/>.</summary>
    void ReadBytes(string name, Span<byte> dest);
}

public static class TensorStoreExtensions
{
    /// <summary>Reads a tensor converted to float32 (F32/F16/BF16/F64 sources).</summary>
    public static float[] ReadFloat32(this ITensorStore store, string name)
    {
        var info = store.Info(name);
        var result = new float[info.ElementCount];
        if (info.DType == DType.F32)
        {
            store.ReadBytes(name, System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan()));
            return result;
        }
        var raw = new byte[info.ByteSize];
        store.ReadBytes(name, raw);
        FloatConvert.ToFloat32(info.DType, raw, result);
        // F16/BF16 always fit float32; a finite F64 can still overflow it.
        if (info.DType == DType.F64) FiniteCheck.Require(result, store.Source, name);
        return result;
    }

    public static byte[] ReadBytes(this ITensorStore store, string name)
    {
        var raw = new byte[store.Info(name).ByteSize];
        store.ReadBytes(name, raw);
        return raw;
    }
}
