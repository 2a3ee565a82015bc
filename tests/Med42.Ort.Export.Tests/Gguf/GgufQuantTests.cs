// q8_0 and q4_0 files of stories260K. ggml's own GGUF reader locates every tensor; its
// type follows the documented rule (ffn_down, whose rows of 172 are not whole 32-blocks, falls back to
// F16); the blocks we wrote are byte-identical to ggml's reference quantiser (quantize_row_*_ref) on
// the same values, and our dequantisation equals ggml's dequantize_row_* bit for bit. Perplexity on
// MANIFEST §1.1 text (b), computed by llama.cpp from each file, stays within 1% (q8_0) / 10% (q4_0) of f32.
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Llama.Checkpoints;
using Xunit.Abstractions;

namespace Med42.Ort.Export.Tests.Gguf;

public class GgufQuantTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(GgufQuant.Q8_0)]
    [InlineData(GgufQuant.Q4_0)]
    [InlineData(GgufQuant.F16)]
    public void WrittenBlocksEqualGgmlsAndOurDequantisationEqualsGgmls(GgufQuant quant)
    {
        var path = Stories260KGguf.Path(quant);
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        using var g = new Ggml.GgufContext(path);
        var file = File.ReadAllBytes(path);
        var counts = new Dictionary<GgmlType, int>();
        foreach (var (weight, tensor) in GgufLlamaExport.Plan(ckpt.Config, quant))
        {
            var id = g.FindTensor(tensor.Name);
            Assert.True(id >= 0, $"ggml finds no tensor '{tensor.Name}'");
            Assert.Equal((int)tensor.Type, g.TensorType(id));
            Assert.Equal(tensor.ByteSize, g.TensorSize(id));
            counts[tensor.Type] = counts.GetValueOrDefault(tensor.Type) + 1;
            var bytes = file.AsSpan((int)(g.DataOffset + g.TensorOffset(id)), (int)tensor.ByteSize);
            var values = GgufLlamaExport.GgufValues(ckpt.Config, ckpt.Weights, weight);
            var ours = new float[values.Length];
            GgmlQuants.Decode(tensor.Type, bytes, ours);
            var theirs = new float[values.Length];
            switch (tensor.Type)
            {
                case GgmlType.Q8_0 or GgmlType.Q4_0:
                    var reference = new byte[bytes.Length];
                    if (tensor.Type == GgmlType.Q8_0) Ggml.QuantizeRowQ8_0Ref(values, reference); else Ggml.QuantizeRowQ4_0Ref(values, reference);
                    Assert.True(bytes.SequenceEqual(reference), $"{tensor.Name}: our {tensor.Type} blocks differ from quantize_row_{tensor.Type.ToString().ToLowerInvariant()}_ref's");
                    if (tensor.Type == GgmlType.Q8_0) Ggml.DequantizeRowQ8_0(bytes, theirs); else Ggml.DequantizeRowQ4_0(bytes, theirs);
                    break;
                case GgmlType.F16:
                    Ggml.Fp16ToFp32Row(bytes, theirs);
                    break;
                default:
                    Assert.Equal(GgmlType.F32, tensor.Type);
                    Assert.Equal(values, ours); // norms stay F32: written as read
                    theirs = ours;
                    break;
            }
            Assert.Equal(theirs, ours); // bit for bit (float equality, no tolerance)
        }
        output.WriteLine($"{quant}: {string.Join(", ", counts.Select(kv => $"{kv.Value} × {kv.Key}"))}");
        Assert.Equal(5 * 2 + 1, counts[GgmlType.F32]); // the 11 RMSNorm weights
        if (quant is GgufQuant.Q8_0 or GgufQuant.Q4_0)
            Assert.Equal((5, 5 * 6 + 1), (counts[GgmlType.F16], counts[quant == GgufQuant.Q8_0 ? GgmlType.Q8_0 : GgmlType.Q4_0]));
    }

    [SkippableFact]
    public void LlamaCppPerplexityOfQuantisedFilesStaysNearF32()
    {
        var ids = TokenizerLoader.Load(Stories260K.TokenizerPath).Encode(Stories260K.TextB()).ToArray();
        double Perplexity(GgufQuant quant)
        {
            using var cpp = LlamaCpp.Load(Stories260KGguf.Path(quant));
            var logits = cpp.Logits(ids);
            double nll = 0;
            for (var t = 0; t + 1 < ids.Length; t++)
            {
                var row = logits[t];
                var max = row.Max();
                var sum = row.Sum(x => Math.Exp(x - max));
                nll -= row[ids[t + 1]] - max - Math.Log(sum);
            }
            return Math.Exp(nll / (ids.Length - 1));
        }
        var f32 = Perplexity(GgufQuant.F32);
        var q8 = Perplexity(GgufQuant.Q8_0);
        var q4 = Perplexity(GgufQuant.Q4_0);
        output.WriteLine($"llama.cpp perplexity on MANIFEST 1.1 (b), {ids.Length} tokens: f32 {f32:F4}, q8_0 {q8:F4} ({100 * (q8 / f32 - 1):+0.00;-0.00}%), q4_0 {q4:F4} ({100 * (q4 / f32 - 1):+0.00;-0.00}%)");
        // The acceptance bounds of the quantised files (relative to the f32 file, same runtime).
        Assert.True(Math.Abs(q8 - f32) <= 0.01 * f32, $"q8_0 perplexity {q8} is not within 1% of f32's {f32}");
        Assert.True(Math.Abs(q4 - f32) <= 0.10 * f32, $"q4_0 perplexity {q4} is not within 10% of f32's {f32}");
    }
}
