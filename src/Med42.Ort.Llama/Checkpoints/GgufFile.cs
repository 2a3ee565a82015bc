// A small strict GGUF v3 reader (ggml docs/gguf.md): magic "GGUF", u32 version, u64 tensor count,
// u64 metadata count, metadata key/values (13 value types, arrays included), tensor infos
// (name, n_dims, dims ne0-first, ggml type, offset), then tensor data at the next multiple of
// general.alignment (default 32). Only F32, F16 and BF16 tensors are accepted; quantized types are
// rejected naming the tensor; every tensor read is checked finite. As an ITensorStore it keeps GGUF names and gives row-major shapes
// (dims reversed). GgufLlama maps names and rotary order to HF. Tests: .../Checkpoints/GgufFileTests.cs.
using System.Buffers.Binary;
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Microsoft.Win32.SafeHandles;

namespace Med42.Ort.Llama.Checkpoints;

/// <summary>One tensor as GGUF lists it: dims innermost first (ne0, ne1, ...), offset relative to the data section.</summary>
public sealed record GgufTensor(string Name, int GgmlType, ulong[] Dims, long Offset, TensorInfo Info);

public sealed class GgufFile : ITensorStore
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const int DefaultAlignment = 32;

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, GgufTensor> _byName = new(StringComparer.Ordinal);
    private readonly List<TensorInfo> _order = [];

    public string Source { get; }
    public uint Version { get; }
    public IReadOnlyDictionary<string, object> Metadata { get; }
    /// <summary>Metadata keys in file order.</summary>
    public IReadOnlyList<string> MetadataKeys { get; }
    public IReadOnlyList<GgufTensor> GgufTensors { get; }
    public int Alignment { get; }
    public long DataStart { get; }
    public IReadOnlyList<TensorInfo> Tensors => _order;

    public static GgufFile Open(string path) => new(path);

    private GgufFile(string path)
    {
        Source = path;
        try { _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Med42Exception($"{path}: cannot open: {e.Message}", e);
        }
        try
        {
            var r = new Reader(path, _handle);
            if (r.U32("magic") != Magic) throw Med42Exception.At(path, "byte 0", "not a GGUF file (magic is not 'GGUF')");
            Version = r.U32("version");
            if (Version != 3) throw Med42Exception.At(path, "byte 4", $"GGUF version {Version} is not supported (only 3)");
            var tensorCount = r.U64("tensor count");
            var kvCount = r.U64("metadata count");
            if (tensorCount > (ulong)r.Remaining || kvCount > (ulong)r.Remaining)
                throw Med42Exception.At(path, "byte 8", $"tensor count {tensorCount} / metadata count {kvCount} cannot fit in the file");
            var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
            var keys = new List<string>();
            for (ulong i = 0; i < kvCount; i++)
            {
                var at = r.Position;
                var key = r.Str("metadata key");
                var type = r.U32($"type of '{key}'");
                var value = r.Value(type, key, depth: 0);
                if (!metadata.TryAdd(key, value)) throw Med42Exception.At(path, $"byte {at}", $"metadata key '{key}' appears twice");
                keys.Add(key);
            }
            Metadata = metadata;
            MetadataKeys = keys;
            Alignment = DefaultAlignment;
            if (metadata.TryGetValue("general.alignment", out var al))
            {
                if (al is not uint a || a == 0 || (a & (a - 1)) != 0)
                    throw Med42Exception.At(path, "metadata 'general.alignment'", $"must be a power-of-two u32, got {al} ({al.GetType().Name})");
                Alignment = (int)a;
            }

            var tensors = new List<GgufTensor>();
            for (ulong i = 0; i < tensorCount; i++)
            {
                var name = r.Str("tensor name");
                var nDims = r.U32($"tensor '{name}' n_dims");
                if (nDims is 0 or > 4) throw Med42Exception.At(path, $"tensor '{name}'", $"n_dims {nDims} is outside 1..4");
                var dims = new ulong[nDims];
                for (var d = 0; d < nDims; d++) dims[d] = r.U64($"tensor '{name}' dims");
                var ggmlType = (int)r.U32($"tensor '{name}' type");
                var offset = r.U64($"tensor '{name}' offset");
                var dtype = ggmlType switch
                {
                    0 => DType.F32,
                    1 => DType.F16,
                    30 => DType.BF16,
                    _ => throw Med42Exception.At(path, $"tensor '{name}'", $"ggml type {ggmlType} ({GgmlTypeName(ggmlType)}) is not supported (only F32, F16, BF16; dequantize the model first)"),
                };
                if (dims.Any(d => d == 0 || d > int.MaxValue)) throw Med42Exception.At(path, $"tensor '{name}'", $"dims [{string.Join(",", dims)}] are invalid");
                if (offset % (ulong)Alignment != 0) throw Med42Exception.At(path, $"tensor '{name}'", $"offset {offset} is not a multiple of the alignment {Alignment}");
                if (offset > long.MaxValue) throw Med42Exception.At(path, $"tensor '{name}'", $"offset {offset} is out of range");
                // GGUF lists ne0 (the contiguous dimension) first; row-major shape is the reverse.
                var info = new TensorInfo(name, dtype, [.. dims.Reverse().Select(d => (long)d)]);
                var t = new GgufTensor(name, ggmlType, dims, (long)offset, info);
                if (!_byName.TryAdd(name, t)) throw Med42Exception.At(path, $"tensor '{name}'", "appears twice");
                tensors.Add(t);
            }
            DataStart = (r.Position + Alignment - 1) / Alignment * Alignment;
            var fileLength = r.Length;
            GgufTensor? previous = null;
            foreach (var t in tensors.OrderBy(t => t.Offset))
            {
                long size;
                try { size = checked(t.Info.Shape.Aggregate(1L, (a, d) => checked(a * d)) * t.Info.DType.Size()); }
                catch (OverflowException) { throw Med42Exception.At(path, $"tensor '{t.Name}'", $"dims [{string.Join(",", t.Dims)}] are too large"); }
                // Compared without adding, so a huge offset cannot wrap around past the check.
                if (t.Offset > fileLength - DataStart || size > fileLength - DataStart - t.Offset)
                    throw Med42Exception.At(path, $"tensor '{t.Name}'", $"data [{DataStart + (decimal)t.Offset}, {DataStart + (decimal)t.Offset + size}) runs past the end of the file ({fileLength} bytes)");
                if (previous is not null && previous.Offset + previous.Info.ByteSize > t.Offset)
                    throw Med42Exception.At(path, $"tensor '{t.Name}'", $"data at offset {t.Offset} overlaps tensor '{previous.Name}'");
                previous = t;
            }
            GgufTensors = tensors;
            _order.AddRange(tensors.Select(t => t.Info));
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);
    public TensorInfo Info(string name) => Find(name).Info;
    public GgufTensor Find(string name) =>
        _byName.TryGetValue(name, out var t) ? t : throw new Med42Exception($"{Source}: missing tensor '{name}'");

    public void ReadBytes(string name, Span<byte> dest)
    {
        var t = Find(name);
        var size = t.Info.ByteSize;
        if (dest.Length < size) throw new ArgumentException($"destination holds {dest.Length} bytes, tensor '{name}' needs {size}", nameof(dest));
        for (long done = 0; done < size;)
        {
            // Checked chunk by chunk while the bytes are in cache (FiniteCheck.ChunkBytes).
            var chunk = dest.Slice((int)done, (int)Math.Min(size - done, FiniteCheck.ChunkBytes));
            for (var got = 0; got < chunk.Length;)
            {
                var n = RandomAccess.Read(_handle, chunk[got..], DataStart + t.Offset + done + got);
                if (n <= 0) throw Med42Exception.At(Source, $"tensor '{name}'", "file ended while reading tensor data");
                got += n;
            }
            FiniteCheck.Require(t.Info.DType, chunk, Source, name, done / t.Info.DType.Size());
            done += chunk.Length;
        }
    }

    /// <summary>Typed metadata lookup; throws naming the key when it is missing or of another type.</summary>
    public T Get<T>(string key) =>
        Metadata.TryGetValue(key, out var v) ? v is T t ? t : throw Med42Exception.At(Source, $"metadata '{key}'", $"expected {typeof(T).Name}, got {v.GetType().Name}")
        : throw Med42Exception.At(Source, $"metadata '{key}'", "required key is missing");

    /// <summary>An integer of any GGUF integer type, or null when absent.</summary>
    public long? GetInteger(string key) => !Metadata.TryGetValue(key, out var v) ? null : v switch
    {
        byte or sbyte or ushort or short or uint or int or long => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture),
        ulong u when u <= long.MaxValue => (long)u,
        _ => throw Med42Exception.At(Source, $"metadata '{key}'", $"expected an integer, got {v.GetType().Name}"),
    };

    public void Dispose() => _handle.Dispose();

    public static string GgmlTypeName(int type) => type switch
    {
        0 => "F32", 1 => "F16", 2 => "Q4_0", 3 => "Q4_1", 6 => "Q5_0", 7 => "Q5_1", 8 => "Q8_0", 9 => "Q8_1",
        10 => "Q2_K", 11 => "Q3_K", 12 => "Q4_K", 13 => "Q5_K", 14 => "Q6_K", 15 => "Q8_K", 24 => "I8", 25 => "I16",
        26 => "I32", 27 => "I64", 28 => "F64", 30 => "BF16", _ => "unknown",
    };

    /// <summary>Bounds-checked little-endian reads through a buffer; every overrun names the byte and the field.</summary>
    private sealed class Reader(string file, SafeFileHandle handle)
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private long _bufferStart;
        private int _bufferLength;
        public long Length { get; } = RandomAccess.GetLength(handle);
        public long Position { get; private set; }
        public long Remaining => Length - Position;

        private ReadOnlySpan<byte> Take(int n, string what)
        {
            if (n > Remaining) throw Med42Exception.At(file, $"byte {Position}", $"file ends while reading {what} ({n} bytes needed, {Remaining} left; truncated?)");
            if (Position < _bufferStart || Position + n > _bufferStart + _bufferLength)
            {
                if (n > _buffer.Length) throw new InvalidOperationException("read larger than buffer");
                _bufferStart = Position;
                _bufferLength = 0;
                while (_bufferLength < Math.Min(_buffer.Length, Remaining))
                {
                    var got = RandomAccess.Read(handle, _buffer.AsSpan(_bufferLength), _bufferStart + _bufferLength);
                    if (got <= 0) break;
                    _bufferLength += got;
                }
            }
            var span = _buffer.AsSpan((int)(Position - _bufferStart), n);
            Position += n;
            return span;
        }

        public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
        public ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

        public string Str(string what)
        {
            var at = Position;
            var len = U64(what + " length");
            if (len > (ulong)Remaining) throw Med42Exception.At(file, $"byte {at}", $"{what}: string length {len} runs past the end of the file (truncated?)");
            var bytes = new byte[len];
            for (var done = 0; done < bytes.Length;)
            {
                var n = Math.Min(bytes.Length - done, _buffer.Length);
                Take(n, what).CopyTo(bytes.AsSpan(done));
                done += n;
            }
            if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw Med42Exception.At(file, $"byte {at}", $"{what} is not valid UTF-8");
            return Encoding.UTF8.GetString(bytes);
        }

        public object Value(uint type, string key, int depth)
        {
            var what = $"value of '{key}'";
            return type switch
            {
                0 => Take(1, what)[0],
                1 => (sbyte)Take(1, what)[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what)),
                3 => BinaryPrimitives.ReadInt16LittleEndian(Take(2, what)),
                4 => U32(what),
                5 => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what)),
                6 => BinaryPrimitives.ReadSingleLittleEndian(Take(4, what)),
                7 => Take(1, what)[0] switch
                {
                    0 => false,
                    1 => true,
                    var b => throw Med42Exception.At(file, $"byte {Position - 1}", $"{what}: bool byte is {b}, not 0 or 1"),
                },
                8 => Str(what),
                9 => Array(key, depth),
                10 => U64(what),
                11 => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what)),
                12 => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what)),
                _ => throw Med42Exception.At(file, $"byte {Position - 4}", $"metadata '{key}': unknown value type {type}"),
            };
        }

        private object Array(string key, int depth)
        {
            var at = Position;
            var elementType = U32($"array type of '{key}'");
            var count = U64($"array length of '{key}'");
            if (depth > 2) throw Med42Exception.At(file, $"byte {at}", $"metadata '{key}': arrays nested too deeply");
            // Every element takes at least one byte, so a count beyond the remaining bytes is corrupt.
            if (count > (ulong)Remaining) throw Med42Exception.At(file, $"byte {at}", $"metadata '{key}': array length {count} cannot fit in the file");
            var items = new object[count];
            for (ulong i = 0; i < count; i++) items[i] = Value(elementType, key, depth + 1);
            return elementType switch
            {
                0 => items.Cast<byte>().ToArray(),
                1 => items.Cast<sbyte>().ToArray(),
                2 => items.Cast<ushort>().ToArray(),
                3 => items.Cast<short>().ToArray(),
                4 => items.Cast<uint>().ToArray(),
                5 => items.Cast<int>().ToArray(),
                6 => items.Cast<float>().ToArray(),
                7 => items.Cast<bool>().ToArray(),
                8 => items.Cast<string>().ToArray(),
                10 => items.Cast<ulong>().ToArray(),
                11 => items.Cast<long>().ToArray(),
                12 => items.Cast<double>().ToArray(),
                _ => items,
            };
        }
    }
}
