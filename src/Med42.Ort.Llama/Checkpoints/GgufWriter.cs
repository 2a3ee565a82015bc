// A streaming GGUF v3 writer (ggml docs/gguf.md), the inverse of GgufFile: header (magic, version,
// tensor count, metadata count), typed metadata key/values, tensor infos (name, n_dims, dims ne0 first,
// ggml type, offset), padding to the alignment (32, the default, so general.alignment is not written),
// then each tensor's data, each starting at a multiple of the alignment. Offsets follow from the
// declared types and shapes, so the header is written first and the data one tensor at a time: memory
// stays bounded by the largest tensor. Tests: tests/Med42.Ort.Llama.Tests/Checkpoints/GgufWriterTests.cs.
using System.Buffers.Binary;
using System.Text;

namespace Med42.Ort.Llama.Checkpoints;

/// <summary>gguf_type: the value types of GGUF metadata.</summary>
public enum GgufValueType : uint
{
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7, String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
}

/// <summary>Metadata in insertion order; each key once. Typed adders, so a value cannot be written with the wrong type.</summary>
public sealed class GgufMetadata
{
    private readonly List<(string Key, Action<BinaryWriter> Write)> _entries = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    public int Count => _entries.Count;
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    public GgufMetadata U32(string key, uint value) => Add(key, GgufValueType.U32, w => w.Write(value));
    public GgufMetadata F32(string key, float value) => Add(key, GgufValueType.F32, w => w.Write(value));
    public GgufMetadata Bool(string key, bool value) => Add(key, GgufValueType.Bool, w => w.Write((byte)(value ? 1 : 0)));
    public GgufMetadata String(string key, string value) => Add(key, GgufValueType.String, w => GgufWriter.WriteString(w, value));

    public GgufMetadata Strings(string key, IReadOnlyList<string> values) => Array(key, GgufValueType.String, values.Count, w =>
    {
        foreach (var v in values) GgufWriter.WriteString(w, v);
    });

    public GgufMetadata F32s(string key, IReadOnlyList<float> values) => Array(key, GgufValueType.F32, values.Count, w =>
    {
        foreach (var v in values) w.Write(v);
    });

    public GgufMetadata I32s(string key, IReadOnlyList<int> values) => Array(key, GgufValueType.I32, values.Count, w =>
    {
        foreach (var v in values) w.Write(v);
    });

    private GgufMetadata Array(string key, GgufValueType element, int count, Action<BinaryWriter> items) => Add(key, GgufValueType.Array, w =>
    {
        w.Write((uint)element);
        w.Write((ulong)count);
        items(w);
    });

    private GgufMetadata Add(string key, GgufValueType type, Action<BinaryWriter> value)
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("metadata key must not be empty", nameof(key));
        if (!_keys.Add(key)) throw new ArgumentException($"metadata key '{key}' added twice", nameof(key));
        _entries.Add((key, w =>
        {
            GgufWriter.WriteString(w, key);
            w.Write((uint)type);
            value(w);
        }));
        return this;
    }

    internal void WriteTo(BinaryWriter w)
    {
        foreach (var (_, write) in _entries) write(w);
    }
}

/// <summary>One tensor to write: its GGUF name, row-major shape (written reversed, ne0 first) and ggml type.</summary>
public sealed record GgufTensorSpec(string Name, long[] Shape, GgmlType Type)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
    /// <summary>ne0: the contiguous dimension, the one the quantisation blocks run along.</summary>
    public long RowLength => Shape[^1];
    public long ByteSize => Type.ByteSize(ElementCount, RowLength);
}

public static class GgufWriter
{
    public const int Alignment = GgufFile.DefaultAlignment;

    /// <summary>
    /// Writes a whole GGUF file to <paramref name="output"/>: the header, then for each tensor in order
    /// <paramref name="writeData"/> (which must write exactly the tensor's ByteSize bytes), padded to the alignment.
    /// </summary>
    public static void Write(Stream output, GgufMetadata metadata, IReadOnlyList<GgufTensorSpec> tensors, Action<GgufTensorSpec, Stream> writeData)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!names.Add(t.Name)) throw new ArgumentException($"tensor '{t.Name}' listed twice");
            if (t.Shape.Length is 0 or > 4 || t.Shape.Any(d => d <= 0)) throw new ArgumentException($"tensor '{t.Name}': shape [{string.Join(",", t.Shape)}] is not 1..4 positive dims");
        }
        using var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        w.Write(GgufFile.Magic);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)metadata.Count);
        metadata.WriteTo(w);
        long offset = 0;
        foreach (var t in tensors)
        {
            WriteString(w, t.Name);
            w.Write((uint)t.Shape.Length);
            for (var d = t.Shape.Length - 1; d >= 0; d--) w.Write((ulong)t.Shape[d]);
            w.Write((uint)t.Type);
            w.Write((ulong)offset);
            offset = Align(offset + t.ByteSize);
        }
        w.Flush();
        Pad(output);
        var dataStart = output.Position;
        foreach (var t in tensors)
        {
            var start = output.Position;
            writeData(t, output);
            var written = output.Position - start;
            if (written != t.ByteSize) throw new InvalidOperationException($"tensor '{t.Name}': wrote {written} bytes, expected {t.ByteSize}");
            Pad(output);
        }
        if (output.Position - dataStart != offset) throw new InvalidOperationException("tensor data does not end where the offsets say");
    }

    internal static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(Stream s)
    {
        Span<byte> zeros = stackalloc byte[Alignment];
        zeros.Clear();
        s.Write(zeros[..(int)(Align(s.Position) - s.Position)]);
    }

    /// <summary>Little-endian float32 values as bytes of <paramref name="type"/>, written in row chunks to keep the buffer small.</summary>
    public static void WriteFloats(Stream output, GgufTensorSpec tensor, ReadOnlySpan<float> values)
    {
        if (values.Length != tensor.ElementCount) throw new ArgumentException($"tensor '{tensor.Name}': {values.Length} values, expected {tensor.ElementCount}");
        var row = (int)tensor.RowLength;
        var rowBytes = (int)tensor.Type.ByteSize(row, row);
        var rowsPerChunk = Math.Max(1, (1 << 20) / rowBytes);
        var buffer = new byte[rowsPerChunk * rowBytes];
        for (var r = 0; r < values.Length / row; r += rowsPerChunk)
        {
            var rows = Math.Min(rowsPerChunk, values.Length / row - r);
            GgmlQuants.Encode(tensor.Type, values.Slice(r * row, rows * row), buffer.AsSpan(0, rows * rowBytes));
            output.Write(buffer, 0, rows * rowBytes);
        }
    }
}
