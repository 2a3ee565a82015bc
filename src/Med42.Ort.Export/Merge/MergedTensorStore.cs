// A base checkpoint with a LoRA adapter folded in, computed lazily tensor by tensor:
//   W' = W + (α/r)·B·A    (PEFT merge_and_unload; B [out, r], A [r, in]; float32 inputs, float64 sums)
// Only the tensor being read is materialised, so writing a merged 7B folder (HfFolderWriter.Save over
// this store) never holds the whole model in managed memory. Every tensor reads as F32; the writer
// casts to the target dtype. A non-finite merged value is refused (LoraWeights.RequireFiniteMerge).
using System.Runtime.InteropServices;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Lora;

namespace Med42.Ort.Export.Merge;

public sealed class MergedTensorStore : ITensorStore
{
    private readonly LlamaConfig _config;
    private readonly ITensorStore _base;
    private readonly LoraConfig _lora;
    private readonly ITensorStore _adapter;
    private readonly Dictionary<string, WeightSpec> _specs;

    public MergedTensorStore(LlamaConfig config, ITensorStore baseWeights, LoraConfig lora, ITensorStore adapter)
    {
        _config = config;
        _base = baseWeights;
        _lora = lora;
        _adapter = adapter;
        _specs = WeightLayout.For(config).ToDictionary(s => s.Name, StringComparer.Ordinal);
        Tensors = [.. WeightLayout.For(config).Select(s => new TensorInfo(s.Name, DType.F32, s.Shape))];
        Source = $"{baseWeights.Source} + {adapter.Source}";
    }

    public string Source { get; }
    public IReadOnlyList<TensorInfo> Tensors { get; }
    public bool Contains(string name) => _specs.ContainsKey(name);
    public TensorInfo Info(string name) => Contains(name) ? new TensorInfo(name, DType.F32, _specs[name].Shape) : throw new Core.Errors.Med42Exception($"{Source}: missing tensor '{name}'");

    public void ReadBytes(string name, Span<byte> dest)
    {
        var spec = _specs.TryGetValue(name, out var s) ? s : throw new Core.Errors.Med42Exception($"{Source}: missing tensor '{name}'");
        var w = _base.ReadFloat32(name);
        if (spec.Kind == WeightKind.Linear && _lora.Targets.Contains(spec.Module))
            AddLowRank(w, _adapter.ReadFloat32(LoraWeights.Name(spec.Layer, spec.Module, 'B')), _adapter.ReadFloat32(LoraWeights.Name(spec.Layer, spec.Module, 'A')),
                (int)spec.Shape[0], (int)spec.Shape[1], _lora.Rank, _lora.Scale);
        LoraWeights.RequireFiniteMerge(w, Source, name, _lora);
        MemoryMarshal.AsBytes(w.AsSpan()).CopyTo(dest);
    }

    /// <summary>w[o,i] += scale·Σ_k b[o,k]·a[k,i].</summary>
    public static void AddLowRank(float[] w, float[] b, float[] a, int outF, int inF, int rank, double scale)
    {
        var row = new double[inF];
        for (var o = 0; o < outF; o++)
        {
            Array.Clear(row);
            for (var k = 0; k < rank; k++)
            {
                double bk = b[o * rank + k];
                var ak = a.AsSpan(k * inF, inF);
                for (var i = 0; i < inF; i++) row[i] += bk * ak[i];
            }
            for (var i = 0; i < inF; i++) w[o * inF + i] = (float)(w[o * inF + i] + scale * row[i]);
        }
    }

    public void Dispose() { } // the base and adapter stores belong to the caller
}
