// Writes .safetensors files, single or sharded the way Hugging Face does it
// (huggingface_hub split_torch_state_dict_into_shards: fill a shard in order until the next tensor
// would pass the limit; model-00001-of-0000N.safetensors + model.safetensors.index.json).
// The header is compact JSON padded with spaces so the data starts 8-byte aligned, as the reference
// Rust writer does. Output bytes depend only on the inputs. Files are written under temporary names
// and renamed when complete (the index last, so its presence means the shards are all there).
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Core.Checkpoints;

/// <summary>A tensor to write: its info and a callback that writes exactly Info.ByteSize bytes (so big tensors stream).</summary>
public sealed record TensorSource(TensorInfo Info, Action<Stream> WriteBytes)
{
    /// <summary>
    /// Copies a tensor from a store (streamed in place when the store is a safetensors file, each chunk
    /// checked finite on the way as ReadBytes checks whole tensors).
    /// </summary>
    public static TensorSource From(ITensorStore store, TensorInfo info) => new(info, s =>
    {
        var mapped = store switch { SafetensorsFile f => f, ShardedSafetensors sh => sh.Owner(info.Name), _ => null };
        if (mapped is not null) CopyChecked(mapped, info, s);
        else s.Write(store.ReadBytes(info.Name));
    });

    private static void CopyChecked(SafetensorsFile file, TensorInfo info, Stream dest)
    {
        using var src = file.OpenRead(info.Name);
        var chunk = new byte[1 << 20]; // a multiple of every element size
        long element = 0;
        int n;
        while ((n = src.Read(chunk)) > 0)
        {
            FiniteCheck.Require(info.DType, chunk.AsSpan(0, n), file.Source, info.Name, element);
            element += n / info.DType.Size();
            dest.Write(chunk, 0, n);
        }
    }

    public static IReadOnlyList<TensorSource> All(ITensorStore store) => [.. store.Tensors.Select(t => From(store, t))];
}

public static class SafetensorsWriter
{
    public const string IndexFileName = "model.safetensors.index.json";

    private const int BufferBytes = 1 << 20;
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static void Write(string path, ITensorStore store, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, TensorSource.All(store), metadata);

    /// <summary>Writes one file atomically (temp name, then rename).</summary>
    public static void Write(string path, IReadOnlyList<TensorSource> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.Write(path, s => WriteFile(s, tensors, metadata), BufferBytes);

    /// <summary>
    /// Writes "{prefix}.safetensors" when everything fits in one shard of <paramref name="maxShardBytes"/>,
    /// else "{prefix}-0000i-of-0000n.safetensors" plus "{prefix}.safetensors.index.json".
    /// A tensor larger than the limit gets a shard of its own. Returns the file names written.
    /// </summary>
    public static IReadOnlyList<string> WriteSharded(string dir, IReadOnlyList<TensorSource> tensors, long maxShardBytes,
        IReadOnlyDictionary<string, string>? metadata = null, string prefix = "model")
    {
        if (maxShardBytes <= 0) throw new ArgumentOutOfRangeException(nameof(maxShardBytes), maxShardBytes, "must be positive");
        var shards = new List<List<TensorSource>> { new() };
        long current = 0;
        foreach (var t in tensors)
        {
            if (shards[^1].Count > 0 && current + t.Info.ByteSize > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(t);
            current += t.Info.ByteSize;
        }
        Directory.CreateDirectory(dir);
        if (shards.Count == 1)
        {
            var single = $"{prefix}.safetensors";
            Write(Path.Combine(dir, single), tensors, metadata);
            return [single];
        }

        var names = Enumerable.Range(1, shards.Count).Select(i => $"{prefix}-{i:D5}-of-{shards.Count:D5}.safetensors").ToList();
        var indexName = $"{prefix}.safetensors.index.json";
        // Every shard and the index are complete before the first is renamed; the index goes last.
        var pending = names.Append(indexName).Select(n => PendingFile.Create(Path.Combine(dir, n))).ToList();
        try
        {
            for (var i = 0; i < shards.Count; i++)
                using (var s = pending[i].OpenWrite(BufferBytes)) WriteFile(s, shards[i], metadata);
            using (var s = pending[^1].OpenWrite()) s.Write(IndexJson(shards, names));
            foreach (var p in pending) p.Commit();
        }
        finally
        {
            foreach (var p in pending) p.Dispose();
        }
        return [.. names, indexName];
    }

    /// <summary>The header bytes (JSON padded with spaces to a multiple of 8), without the length prefix.</summary>
    public static byte[] Header(IReadOnlyList<TensorInfo> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Compact))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var kv in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach (var t in tensors)
            {
                if (!names.Add(t.Name)) throw new ArgumentException($"duplicate tensor '{t.Name}'");
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.SafetensorsName());
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.ByteSize);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.ByteSize;
            }
            w.WriteEndObject();
        }
        // 8 + N is a multiple of 8, so every tensor of a <= 8-byte dtype starts aligned.
        while (ms.Length % 8 != 0) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }

    private static void WriteFile(Stream fs, IReadOnlyList<TensorSource> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var header = Header([.. tensors.Select(t => t.Info)], metadata);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        fs.Write(len);
        fs.Write(header);
        foreach (var t in tensors)
        {
            var counter = new CountingStream(fs, t.Info);
            t.WriteBytes(counter);
            if (counter.Written != t.Info.ByteSize)
                throw new InvalidOperationException($"tensor '{t.Info.Name}': writer produced {counter.Written} bytes, expected {t.Info.ByteSize} for {t.Info.DType}{t.Info.ShapeText}");
        }
    }

    private static byte[] IndexJson(List<List<TensorSource>> shards, List<string> names)
    {
        // Same content and layout as transformers' save_pretrained: indent 2, weight_map sorted by name.
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < shards.Count; i++)
            foreach (var t in shards[i]) map[t.Info.Name] = names[i];
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("metadata");
            w.WriteNumber("total_size", shards.Sum(s => s.Sum(t => t.Info.ByteSize)));
            w.WriteEndObject();
            w.WriteStartObject("weight_map");
            foreach (var kv in map) w.WriteString(kv.Key, kv.Value);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    /// <summary>Passes writes through and refuses to write past the tensor's size.</summary>
    private sealed class CountingStream(Stream inner, TensorInfo info) : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Written + buffer.Length > info.ByteSize)
                throw new InvalidOperationException($"tensor '{info.Name}': writer produced more than {info.ByteSize} bytes for {info.DType}{info.ShapeText}");
            inner.Write(buffer);
            Written += buffer.Length;
        }
    }
}
