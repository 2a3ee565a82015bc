// One .safetensors file, memory-mapped and read lazily (huggingface/safetensors README, "Format"):
//   8 bytes little-endian u64 N | N bytes UTF-8 JSON header | data buffer.
// The header maps tensor name -> {dtype, shape, data_offsets:[begin,end)} relative to the buffer,
// plus an optional "__metadata__" string map. Validation follows the reference crate's
// Metadata::validate: offsets in range, contiguous (no overlap, no gap), covering the whole buffer,
// and shape x dtype size equal to each byte span. Every tensor copied out (ReadBytes) is checked finite;
// the in-place views (GetSpan, OpenRead) leave that to their caller. Tests: tests/Med42.Ort.Core.Tests/Checkpoints.
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Core.Checkpoints;

public sealed unsafe class SafetensorsFile : ITensorStore
{
    /// <summary>Largest header accepted (the reference crate's limit): guards against absurd lengths.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly record struct Entry(TensorInfo Info, long Begin, long End);

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    // Copies (ReadBytes) go through pread on this handle rather than the mapping: the bytes come from the page
    // cache without being mapped into the process, so converting a 7B checkpoint tensor by tensor keeps the
    // resident set at one tensor instead of growing by every file page touched.
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;
    private byte* _base;
    private readonly long _dataStart;
    private readonly List<TensorInfo> _order = [];
    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);

    public string Source { get; }
    public IReadOnlyList<TensorInfo> Tensors => _order;

    /// <summary>The "__metadata__" string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset where the data buffer starts (8 + header length).</summary>
    public long DataStart => _dataStart;

    public static SafetensorsFile Open(string path) => new(path);

    private SafetensorsFile(string path)
    {
        Source = path;
        FileStream fs;
        try { fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Med42Exception($"{path}: cannot open: {e.Message}", e);
        }
        var length = fs.Length;
        if (length < 8)
        {
            fs.Dispose();
            throw Med42Exception.At(path, "byte 0", $"file is {length} bytes, shorter than the 8-byte header length (truncated safetensors file)");
        }
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _map = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        try
        {
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
            _base += _view.PointerOffset;
            var n = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(_base, 8));
            if (n > (ulong)(length - 8))
                throw Med42Exception.At(path, "byte 0", $"header length {n} runs past the end of the file (file is {length} bytes, header would end at byte {8 + (decimal)n}; truncated file?)");
            if ((long)n > MaxHeaderBytes)
                throw Med42Exception.At(path, "byte 0", $"header length {n} exceeds the {MaxHeaderBytes}-byte limit");
            _dataStart = 8 + (long)n;
            var header = new ReadOnlySpan<byte>(_base + 8, (int)n).ToArray();
            Metadata = ParseHeader(header, length - _dataStart);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private Dictionary<string, string> ParseHeader(byte[] header, long dataLength)
    {
        var file = Source;
        if (header.Length == 0 || header[0] != (byte)'{')
            throw Med42Exception.At(file, "byte 8", "header does not start with '{' (not a safetensors file?)");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        using (var doc = JsonFile.Parse(header, file, baseOffset: 8))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Med42Exception.At(file, "header", "header is not a JSON object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw Med42Exception.At(file, $"tensor '{prop.Name}'", "appears twice in the header");
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw Med42Exception.At(file, "__metadata__", "must be an object of strings");
                    foreach (var kv in prop.Value.EnumerateObject())
                        metadata[kv.Name] = kv.Value.ValueKind == JsonValueKind.String ? kv.Value.GetString()!
                            : throw Med42Exception.At(file, $"__metadata__.{kv.Name}", $"value must be a string, got {kv.Value.ValueKind}");
                    continue;
                }
                entries.Add(ParseEntry(prop.Name, prop.Value, dataLength));
            }
        }
        // Stored order = buffer order; zero-size tensors sort before a tensor starting at the same offset.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End != b.End ? a.End.CompareTo(b.End) : string.CompareOrdinal(a.Info.Name, b.Info.Name));
        long expected = 0;
        string? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < expected)
                throw Med42Exception.At(file, $"tensor '{e.Info.Name}'", $"data_offsets [{e.Begin}, {e.End}] overlap tensor '{previous}' which ends at {expected}");
            if (e.Begin > expected)
                throw Med42Exception.At(file, $"tensor '{e.Info.Name}'", $"data_offsets [{e.Begin}, {e.End}] leave a gap of {e.Begin - expected} bytes after {(previous is null ? "the start of the data buffer" : $"tensor '{previous}'")}");
            expected = e.End;
            previous = e.Info.Name;
            _order.Add(e.Info);
            _byName[e.Info.Name] = e;
        }
        if (expected != dataLength)
            throw Med42Exception.At(file, $"byte {_dataStart + expected}", $"{dataLength - expected} bytes after the last tensor{(previous is null ? "" : $" '{previous}'")} are not covered by any tensor");
        return metadata;
    }

    private Entry ParseEntry(string name, JsonElement value, long dataLength)
    {
        var file = Source;
        var at = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object) throw Med42Exception.At(file, at, "entry is not a JSON object");
        if (!value.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Med42Exception.At(file, at, "missing string field 'dtype'");
        var dtypeName = dt.GetString()!;
        if (!DTypes.TryParseSafetensors(dtypeName, out var dtype))
            throw Med42Exception.At(file, at, $"unknown dtype '{dtypeName}' (supported: {string.Join(", ", Enum.GetValues<DType>().Select(d => d.SafetensorsName()))})");
        var shape = ReadLongs(value, "shape", at, -1);
        var offsets = ReadLongs(value, "data_offsets", at, 2);
        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin) throw Med42Exception.At(file, at, $"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw Med42Exception.At(file, at, $"data_offsets [{begin}, {end}] are out of range: the data buffer holds {dataLength} bytes (file ends at byte {_dataStart + dataLength})");
        long bytes;
        try { bytes = checked(shape.Aggregate(1L, (a, d) => checked(a * d)) * dtype.Size()); }
        catch (OverflowException) { throw Med42Exception.At(file, at, $"shape [{string.Join(",", shape)}] is too large"); }
        if (bytes != end - begin)
            throw Med42Exception.At(file, at, $"shape [{string.Join(",", shape)}] x {dtypeName} = {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin} bytes");
        return new Entry(new TensorInfo(name, dtype, shape), begin, end);
    }

    private long[] ReadLongs(JsonElement value, string field, string at, int count)
    {
        if (!value.TryGetProperty(field, out var arr) || arr.ValueKind != JsonValueKind.Array)
            throw Med42Exception.At(Source, at, $"missing array field '{field}'");
        var result = new List<long>();
        foreach (var x in arr.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out var v) || v < 0)
                throw Med42Exception.At(Source, at, $"'{field}' must hold non-negative integers, got {x.GetRawText()}");
            result.Add(v);
        }
        if (count >= 0 && result.Count != count)
            throw Med42Exception.At(Source, at, $"'{field}' must have {count} entries, got {result.Count}");
        return [.. result];
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public TensorInfo Info(string name) => Find(name).Info;

    /// <summary>(file offset, byte length) of a tensor's bytes, e.g. for ONNX external data.</summary>
    public (long Offset, long Length) FileRange(string name)
    {
        var e = Find(name);
        return (_dataStart + e.Begin, e.End - e.Begin);
    }

    public void ReadBytes(string name, Span<byte> dest)
    {
        var e = Find(name);
        var len = e.End - e.Begin;
        if (dest.Length < len) throw new ArgumentException($"destination holds {dest.Length} bytes, tensor '{name}' needs {len}", nameof(dest));
        var elementSize = e.Info.DType.Size();
        for (long done = 0; done < len;)
        {
            var chunk = dest.Slice((int)done, (int)Math.Min(len - done, FiniteCheck.ChunkBytes));
            for (var got = 0; got < chunk.Length;)
            {
                var read = RandomAccess.Read(_handle, chunk[got..], _dataStart + e.Begin + done + got);
                if (read <= 0) throw Med42Exception.At(Source, $"byte {_dataStart + e.Begin + done + got}", $"unexpected end of file reading tensor '{name}'");
                got += read;
            }
            FiniteCheck.Require(e.Info.DType, chunk, Source, name, done / elementSize);
            done += chunk.Length;
        }
    }

    /// <summary>
    /// The tensor's bytes in place (no copy); valid until this file is disposed.
    /// Tensors over 2 GiB cannot be a span: use <see cref="OpenRead"/>.
    /// </summary>
    public ReadOnlySpan<byte> GetSpan(string name)
    {
        var e = Find(name);
        var len = e.End - e.Begin;
        if (len > int.MaxValue) throw new InvalidOperationException($"{Source}: tensor '{name}' is {len} bytes, too large for a span; use OpenRead");
        return new ReadOnlySpan<byte>(Pointer(e), (int)len);
    }

    /// <summary>A read-only stream over the tensor's bytes in place; valid until this file is disposed.</summary>
    public UnmanagedMemoryStream OpenRead(string name)
    {
        var e = Find(name);
        return new UnmanagedMemoryStream(Pointer(e), e.End - e.Begin);
    }

    private byte* Pointer(Entry e)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        return _base + _dataStart + e.Begin;
    }

    private Entry Find(string name) =>
        _byName.TryGetValue(name, out var e) ? e : throw new Med42Exception($"{Source}: missing tensor '{name}'");

    public void Dispose()
    {
        if (_base != null)
        {
            _base = null;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
        _view?.Dispose();
        _handle?.Dispose();
        _map?.Dispose();
    }
}
