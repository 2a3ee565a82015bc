// A tensor dimension: a fixed size or a named symbol ("batch_size", "sequence_length").
// Two symbolic dims are equal when their names are equal; that is what broadcasting and autodiff rely on.
namespace Med42.Ort.Graph.Ir;

public readonly record struct Dim
{
    private Dim(long? size, string? symbol) { Size = size; Symbol = symbol; }

    public long? Size { get; }
    public string? Symbol { get; }
    public bool IsFixed => Size.HasValue;

    public static Dim Of(long size) => size >= 0 ? new(size, null) : throw new ArgumentOutOfRangeException(nameof(size));
    public static Dim Sym(string symbol) => new(null, symbol ?? throw new ArgumentNullException(nameof(symbol)));
    public static implicit operator Dim(long size) => Of(size);
    public static implicit operator Dim(int size) => Of(size);
    public static implicit operator Dim(string symbol) => Sym(symbol);

    public bool IsOne => Size == 1;

    /// <summary>Sum of two dims (fixed if both are fixed, else a symbol "a+b").</summary>
    public static Dim operator +(Dim a, Dim b) =>
        a.IsFixed && b.IsFixed ? Of(a.Size!.Value + b.Size!.Value)
        : a.Size == 0 ? b : b.Size == 0 ? a : Sym($"{a}+{b}");

    public static Dim operator *(Dim a, Dim b) =>
        a.IsFixed && b.IsFixed ? Of(a.Size!.Value * b.Size!.Value)
        : a.Size == 1 ? b : b.Size == 1 ? a : Sym($"{a}*{b}");

    public override string ToString() => Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol!;
}

public static class Shapes
{
    public static string Format(IReadOnlyList<Dim>? shape) => shape is null ? "[?]" : "[" + string.Join(",", shape) + "]";

    /// <summary>Numpy-style broadcast of two shapes; throws when the dims cannot broadcast.</summary>
    public static Dim[] Broadcast(IReadOnlyList<Dim> a, IReadOnlyList<Dim> b)
    {
        var rank = Math.Max(a.Count, b.Count);
        var result = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Count ? Dim.Of(1) : a[i - (rank - a.Count)];
            var db = i < rank - b.Count ? Dim.Of(1) : b[i - (rank - b.Count)];
            if (da == db || db.IsOne) result[i] = da;
            else if (da.IsOne) result[i] = db;
            else if (!da.IsFixed || !db.IsFixed) result[i] = da.IsFixed ? db : da; // unknowable statically; runtime checks it
            else throw new InvalidOperationException($"shapes {Format(a)} and {Format(b)} do not broadcast");
        }
        return result;
    }

    public static int NormalizeAxis(long axis, int rank) =>
        (int)(axis < 0 ? axis + rank : axis) is var a && a >= 0 && a < rank ? a : throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} out of range for rank {rank}");
}
