// Binds weights for training graphs: trainable parameters become float32 graph inputs under their own
// names (so the trainer feeds its resident buffers and the autodiff differentiates w.r.t. them); frozen
// weights become initializers streamed from the base checkpoint (external data when exported).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Training.Artifacts;

public sealed class TrainingWeightBinder(ITensorStore frozen, ISet<string> trainable) : IWeightBinder
{
    private readonly CheckpointWeightBinder _frozen = new(frozen, DType.F32, DType.F32);
    private readonly Dictionary<string, Value> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Value> _transposed = new(StringComparer.Ordinal);

    /// <summary>The trainable parameter inputs, in the order the graph first used them.</summary>
    public List<Value> Parameters { get; } = [];

    public Value Get(GraphBuilder b, WeightSpec spec)
    {
        if (!trainable.Contains(spec.Name)) return _frozen.Get(b, spec);
        if (_inputs.TryGetValue(spec.Name, out var v)) return v;
        v = _inputs[spec.Name] = b.Input(spec.Name, DType.F32, spec.Shape.Select(Dim.Of).ToArray());
        Parameters.Add(v);
        return v;
    }

    public Value GetTransposed(GraphBuilder b, WeightSpec spec)
    {
        if (!trainable.Contains(spec.Name)) return _frozen.GetTransposed(b, spec);
        if (_transposed.TryGetValue(spec.Name, out var t)) return t;
        var w = Get(b, spec);
        using var _ = b.Scope(spec.Name);
        return _transposed[spec.Name] = b.Transpose(w, 1, 0);
    }
}
