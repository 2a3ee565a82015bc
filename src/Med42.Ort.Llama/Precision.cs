// The numeric precision of a Llama graph: the dtype its weights are stored in and the dtype its activations
// are computed in. Today: F32 (training, CPU inference), F16 (GPU inference; F16 storage with F32 compute
// also runs), F64 (finite-difference checks). Mixed-precision training (bf16/fp16 compute over fp32 master
// weights) is a further pair of the same two fields, not a flag.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama;

public sealed record Precision
{
    public Precision(DType storage, DType compute)
    {
        if (!storage.IsFloat()) throw new Med42Exception($"precision: weights stored as {storage}, expected a float type (F32, F16, BF16, F64)");
        if (!compute.IsFloat()) throw new Med42Exception($"precision: activations computed in {compute}, expected a float type (F32, F16, BF16, F64)");
        Storage = storage;
        Compute = compute;
    }

    /// <summary>The dtype weights are stored in (initializers; cast to <see cref="Compute"/> where read).</summary>
    public DType Storage { get; }

    /// <summary>The dtype activations, masks' scalars, rotary caches and the KV cache are computed in.</summary>
    public DType Compute { get; }

    /// <summary>The logits' dtype: float32, or float64 for float64 graphs (reference checks).</summary>
    public DType Logits => Compute == DType.F64 ? DType.F64 : DType.F32;

    public static Precision F32 { get; } = new(DType.F32, DType.F32);
    public static Precision F16 { get; } = new(DType.F16, DType.F16);
    public static Precision F64 { get; } = new(DType.F64, DType.F64);

    /// <summary>Stored and computed in <paramref name="type"/>.</summary>
    public static Precision Of(DType type) => new(type, type);

    public override string ToString() => Storage == Compute ? Storage.ToString() : $"{Storage} weights, {Compute} compute";
}
