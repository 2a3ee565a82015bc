// Tensors held in managed arrays: tiny models, converted llama2.c checkpoints, test fixtures.
namespace Med42.Ort.Core.Tensors;

public sealed class InMemoryTensorStore : ITensorStore
{
    private readonly List<TensorInfo> _order = [];
    private readonly Dictionary<string, (TensorInfo Info, byte[] Raw)> _tensors = new(StringComparer.Ordinal);

    public InMemoryTensorStore(string source = "<memory>") => Source = source;

    public string Source { get; }
    public IReadOnlyList<TensorInfo> Tensors => _order;
    public bool Contains(string name) => _tensors.ContainsKey(name);

    public TensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var t) ? t.Info : throw new Errors.Med42Exception($"{Source}: missing tensor '{name}'");

    public void ReadBytes(string name, Span<byte> dest)
    {
        var raw = _tensors.TryGetValue(name, out var t) ? t.Raw : throw new Errors.Med42Exception($"{Source}: missing tensor '{name}'");
        raw.CopyTo(dest);
    }

    public void Add(TensorInfo info, byte[] raw)
    {
        if (raw.LongLength != info.ByteSize) throw new ArgumentException($"tensor '{info.Name}': {raw.Length} bytes for {info.DType}{info.ShapeText}");
        if (_tensors.ContainsKey(info.Name)) throw new ArgumentException($"duplicate tensor '{info.Name}'");
        _order.Add(info);
        _tensors[info.Name] = (info, raw);
    }

    /// <summary>Adds float32 values stored as <paramref name="dtype"/>.</summary>
    public void AddFloat(string name, long[] shape, ReadOnlySpan<float> values, DType dtype = DType.F32)
    {
        var info = new TensorInfo(name, dtype, shape);
        if (values.Length != info.ElementCount) throw new ArgumentException($"tensor '{name}': {values.Length} values for shape {info.ShapeText}");
        var raw = new byte[info.ByteSize];
        FloatConvert.FromFloat32(dtype, values, raw);
        Add(info, raw);
    }

    public void Dispose() { }
}
