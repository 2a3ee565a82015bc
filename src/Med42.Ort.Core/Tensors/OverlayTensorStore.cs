// Two tensor stores seen as one (a base model plus adapter tensors): names resolve in the first store, then the second.
namespace Med42.Ort.Core.Tensors;

public sealed class OverlayTensorStore(ITensorStore first, ITensorStore second) : ITensorStore
{
    public string Source => $"{first.Source} + {second.Source}";
    public IReadOnlyList<TensorInfo> Tensors { get; } = [.. first.Tensors, .. second.Tensors];
    public bool Contains(string name) => first.Contains(name) || second.Contains(name);
    public TensorInfo Info(string name) => first.Contains(name) ? first.Info(name) : second.Info(name);
    public void ReadBytes(string name, Span<byte> dest)
    {
        if (first.Contains(name)) first.ReadBytes(name, dest);
        else second.ReadBytes(name, dest);
    }

    /// <summary>The parts are owned by their openers.</summary>
    public void Dispose() { }
}
