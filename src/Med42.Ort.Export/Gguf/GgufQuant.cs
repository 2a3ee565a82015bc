// The `--quant` of a GGUF export and the type each tensor gets, as llama.cpp's converter chooses it
// (convert_hf_to_gguf.py ModelBase.prepare_tensors):
//   1-D tensors (the RMSNorm weights)                → F32 always
//   2-D weights, --quant f32 / f16                   → F32 / F16
//   2-D weights, --quant q8_0 / q4_0                 → Q8_0 / Q4_0 when the row length (ne0, the input
//                                                      features) is a multiple of 32, else F16 (the
//                                                      converter's QuantError fallback)
// token_embd and output are quantised like every other 2-D weight (llama-quantize --pure; without
// --pure llama-quantize would give output Q6_K, a k-quant this exporter does not write).
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Export.Gguf;

public enum GgufQuant { F32, F16, Q8_0, Q4_0 }

public static class GgufQuants
{
    /// <summary>The ggml type of one weight under <paramref name="quant"/> (the rule in the file header).</summary>
    public static GgmlType TypeFor(WeightSpec spec, GgufQuant quant)
    {
        if (spec.Shape.Length == 1) return GgmlType.F32;
        var type = quant switch
        {
            GgufQuant.F32 => GgmlType.F32,
            GgufQuant.F16 => GgmlType.F16,
            GgufQuant.Q8_0 => GgmlType.Q8_0,
            GgufQuant.Q4_0 => GgmlType.Q4_0,
            _ => throw new ArgumentOutOfRangeException(nameof(quant), quant, null),
        };
        return spec.Shape[^1] % type.BlockSize() == 0 ? type : GgmlType.F16;
    }

    /// <summary>general.file_type (llama_ftype): ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q4_0 2, MOSTLY_Q8_0 7.</summary>
    public static uint FileType(GgufQuant quant) => quant switch
    {
        GgufQuant.F32 => 0,
        GgufQuant.F16 => 1,
        GgufQuant.Q4_0 => 2,
        GgufQuant.Q8_0 => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(quant), quant, null),
    };
}
