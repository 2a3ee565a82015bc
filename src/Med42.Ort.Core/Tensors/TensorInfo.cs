namespace Med42.Ort.Core.Tensors;

/// <summary>Name, element type and shape of a stored tensor.</summary>
public sealed record TensorInfo(string Name, DType DType, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
    public long ByteSize => ElementCount * DType.Size();
    public string ShapeText => "[" + string.Join(",", Shape) + "]";
    public bool Equals(TensorInfo? other) => other is not null && Name == other.Name && DType == other.DType && Shape.SequenceEqual(other.Shape);
    public override int GetHashCode() => HashCode.Combine(Name, DType, Shape.Length);
}
