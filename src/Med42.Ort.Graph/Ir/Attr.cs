namespace Med42.Ort.Graph.Ir;

/// <summary>A node attribute. Only the kinds the project's ops need.</summary>
public abstract record Attr
{
    public static implicit operator Attr(long v) => new IntAttr(v);
    public static implicit operator Attr(int v) => new IntAttr(v);
    public static implicit operator Attr(float v) => new FloatAttr(v);
    public static implicit operator Attr(double v) => new FloatAttr((float)v);
    public static implicit operator Attr(string v) => new StringAttr(v);
    public static implicit operator Attr(long[] v) => new IntsAttr(v);
}

public sealed record IntAttr(long Value) : Attr;
public sealed record FloatAttr(float Value) : Attr;
public sealed record StringAttr(string Value) : Attr;
public sealed record IntsAttr(long[] Value) : Attr;
public sealed record FloatsAttr(float[] Value) : Attr;
public sealed record TensorAttr(TensorSource Value) : Attr;
