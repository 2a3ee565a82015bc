// y = x·W'ᵀ with W' the int4 block-quantised weight, as one com.microsoft MatMulNBits node
//   x [B,T,K] ─MatMulNBits(B uint8 [N,⌈K/bs⌉,bs/2], scales, [zero_points])─ y [B,T,N]
// The packed tensors are deferred initializers: each weight is read and quantised only while the
// model file is written (then forgotten), so a 7B model streams through. Projections quantise; the LM
// head does only when asked, and anything else falls back to the plain linear.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Llama.Int4;

public sealed class Int4Linear(ITensorStore store, Int4Options options, ILinearFactory? fallback = null) : ILinearFactory
{
    private readonly Int4Options _options = options.Validate();
    private readonly ILinearFactory _fallback = fallback ?? PlainLinear.Instance;
    private readonly Dictionary<string, (Int4Weight Weight, int PartsLeft)> _pending = new(StringComparer.Ordinal);

    public Int4Options Options => _options;

    public Value Build(GraphBuilder b, Value x, WeightSpec spec, IWeightBinder weights)
    {
        // The head (lm_head, or the tied embedding) quantises only when asked; a tied head gets its own int4 copy.
        var isHead = spec.Kind is WeightKind.LmHead or WeightKind.Embedding;
        if (!(spec.Kind == WeightKind.Linear || (isHead && _options.QuantizeHead)))
            return _fallback.Build(b, x, spec, weights);
        int n = (int)spec.Shape[0], k = (int)spec.Shape[1], bs = _options.BlockSize;
        var blocks = (k + bs - 1) / bs;
        var prefix = spec.Name.EndsWith(".weight", StringComparison.Ordinal) ? spec.Name[..^".weight".Length] : spec.Name;
        if (isHead) prefix += ".int4";
        var scaleType = x.Type == DType.F16 ? DType.F16 : DType.F32;
        var parts = _options.Asymmetric ? 3 : 2;
        var packed = b.Initializer(prefix + ".qweight", TensorSource.Deferred(DType.U8, [n, blocks, bs / 2], s => s.Write(Take(spec, parts).Packed)));
        var scales = b.Initializer(prefix + ".scales", TensorSource.Deferred(scaleType, [(long)n * blocks], s =>
        {
            var f = Take(spec, parts).Scales;
            var raw = new byte[f.Length * scaleType.Size()];
            FloatConvert.FromFloat32(scaleType, f, raw);
            s.Write(raw);
        }));
        Value? zeros = _options.Asymmetric
            ? b.Initializer(prefix + ".qzeros", TensorSource.Deferred(DType.U8, [(long)n * ((blocks + 1) / 2)], s => s.Write(Take(spec, parts).ZeroPoints!)))
            : null;
        var outShape = x.Shape is null ? null : (Dim[])[.. x.Shape[..^1], Dim.Of(n)];
        var attrs = new Dictionary<string, Attr>(StringComparer.Ordinal)
        {
            ["K"] = (long)k, ["N"] = (long)n, ["bits"] = 4L, ["block_size"] = (long)bs, ["accuracy_level"] = (long)_options.AccuracyLevel,
        };
        return b.Op("MatMulNBits", zeros is null ? [x, packed, scales] : [x, packed, scales, zeros], x.Type, outShape, attrs, GraphBuilder.MicrosoftDomain);
    }

    // Quantises on first use; the result is dropped after its last part (B, scales, zero points) is written.
    private Int4Weight Take(WeightSpec spec, int parts)
    {
        if (!_pending.TryGetValue(spec.Name, out var entry))
        {
            var w = store.ReadFloat32(spec.Name);
            entry = (Int4Quantizer.Quantize(w, (int)spec.Shape[0], (int)spec.Shape[1], _options), parts);
        }
        entry.PartsLeft--;
        if (entry.PartsLeft == 0) _pending.Remove(spec.Name);
        else _pending[spec.Name] = entry;
        return entry.Weight;
    }
}
