// Test-side IWeightBinder: every weight is a float64 graph input (trainable-parameter style);
// GetTransposed is Transpose(Get), so gradients flow back to the [out, in] checkpoint layout.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;

namespace Med42.Ort.Graph.Tests.Autodiff;

internal sealed class InputWeightBinder : IWeightBinder
{
    private readonly Dictionary<string, Value> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Value> _transposed = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, Value> Inputs => _inputs;

    public Value Get(GraphBuilder b, WeightSpec spec)
    {
        if (!_inputs.TryGetValue(spec.Name, out var v))
            _inputs[spec.Name] = v = b.Input(spec.Name, DType.F64, spec.Shape.Select(Dim.Of).ToArray());
        return v;
    }

    public Value GetTransposed(GraphBuilder b, WeightSpec spec)
    {
        if (!_transposed.TryGetValue(spec.Name, out var t))
            _transposed[spec.Name] = t = b.Transpose(Get(b, spec), 1, 0);
        return t;
    }
}
