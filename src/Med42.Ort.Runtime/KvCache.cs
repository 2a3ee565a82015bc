// Past keys and values per layer, kept as ONNX Runtime values so each step's present.* outputs feed
// the next step's past_key_values.* inputs without a copy.
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Runtime;

public sealed class KvCache : IDisposable
{
    private readonly OrtValue[] _keys;
    private readonly OrtValue[] _values;

    private KvCache(OrtValue[] keys, OrtValue[] values)
    {
        _keys = keys;
        _values = values;
    }

    public int Layers => _keys.Length;
    public long PastLength => _keys[0].GetTensorTypeAndShape().Shape[2];

    /// <summary>An empty cache [B, Hkv, 0, D] per layer.</summary>
    public static KvCache Empty(int layers, int batch, int kvHeads, int headDim, TensorElementType type)
    {
        OrtValue Make() => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, [batch, kvHeads, 0, headDim]);
        return new KvCache(Enumerable.Range(0, layers).Select(_ => Make()).ToArray(), Enumerable.Range(0, layers).Select(_ => Make()).ToArray());
    }

    public OrtValue Key(int layer) => _keys[layer];
    public OrtValue Value(int layer) => _values[layer];

    /// <summary>Takes ownership of the new present values, disposing the old ones.</summary>
    public void Replace(int layer, OrtValue key, OrtValue value)
    {
        _keys[layer].Dispose();
        _values[layer].Dispose();
        _keys[layer] = key;
        _values[layer] = value;
    }

    public void Dispose()
    {
        foreach (var v in _keys) v.Dispose();
        foreach (var v in _values) v.Dispose();
    }
}
