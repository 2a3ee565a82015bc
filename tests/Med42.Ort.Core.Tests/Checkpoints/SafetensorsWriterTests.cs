// Writer tests: bitwise round trips per dtype, the exact on-disk layout the reference format fixes,
// determinism, HF-style sharding with its index, atomic failure, and ShardedSafetensors errors.
using System.Text;
using System.Text.Json;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Checkpoints;

public class SafetensorsWriterTests
{
    /// <summary>Tensors with arbitrary bit patterns (NaN payloads, subnormals, -0): a round trip must keep every bit.</summary>
    private static InMemoryTensorStore RandomStore(DType dtype, int seed)
    {
        var rng = new Random(seed); // only makes bytes; expectations compare against these same bytes
        var store = new InMemoryTensorStore();
        long[][] shapes = [[3, 5], [7], [2, 3, 4], [1], [11, 1]];
        for (var i = 0; i < shapes.Length; i++)
        {
            var info = new TensorInfo($"model.t{i}.weight", dtype, shapes[i]);
            var raw = new byte[info.ByteSize];
            rng.NextBytes(raw);
            // Readers refuse NaN/Inf: clearing the top exponent bit (bit 6 of each element's last byte, little-endian) keeps every value finite.
            for (var b = dtype.Size() - 1; b < raw.Length; b += dtype.Size()) raw[b] &= 0xBF;
            store.Add(info, raw);
        }
        return store;
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    public void RoundTripIsBitwise(DType dtype)
    {
        using var dir = new TempDir();
        var store = RandomStore(dtype, 42);
        var path = dir.File("model.safetensors");
        SafetensorsWriter.Write(path, store, new Dictionary<string, string> { ["format"] = "pt" });
        using var back = SafetensorsFile.Open(path);
        Assert.Equal(store.Tensors, back.Tensors);
        foreach (var t in store.Tensors) Assert.Equal(store.ReadBytes(t.Name), back.ReadBytes(t.Name));
        Assert.Equal("pt", back.Metadata["format"]);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*")); // no temp files left behind
    }

    [Fact]
    public void LayoutMatchesTheFormatSpec()
    {
        // Expected bytes built by hand: compact JSON (as serde_json / json.dumps(separators=(",",":"))),
        // padded with spaces so 8 + N is a multiple of 8, then the raw data.
        using var dir = new TempDir();
        var store = new InMemoryTensorStore();
        store.Add(new TensorInfo("a", DType.F16, [2]), [1, 2, 3, 4]);
        store.Add(new TensorInfo("b", DType.I8, [1, 3]), [5, 6, 7]);
        var path = dir.File("x.safetensors");
        SafetensorsWriter.Write(path, store, new Dictionary<string, string> { ["format"] = "pt" });
        var json = """{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"I8","shape":[1,3],"data_offsets":[4,7]}}""";
        json += new string(' ', (8 - json.Length % 8) % 8);
        Assert.Equal(SafetensorsFixtures.Build(json, [1, 2, 3, 4, 5, 6, 7]), File.ReadAllBytes(path));
    }

    [Fact]
    public void OutputIsDeterministic()
    {
        using var dir = new TempDir();
        var store = RandomStore(DType.BF16, 7);
        SafetensorsWriter.Write(dir.File("1.safetensors"), store);
        SafetensorsWriter.Write(dir.File("2.safetensors"), store);
        Assert.Equal(File.ReadAllBytes(dir.File("1.safetensors")), File.ReadAllBytes(dir.File("2.safetensors")));
    }

    [Fact]
    public void ShardsAtTheLimitWithAnHfIndex()
    {
        using var dir = new TempDir();
        var store = RandomStore(DType.F32, 3); // sizes 60, 28, 96, 4, 44 bytes
        var files = SafetensorsWriter.WriteSharded(dir.Path, TensorSource.All(store), maxShardBytes: 90);
        // Greedy in order: [60,28] = 88; [96] alone (bigger than the limit); [4,44] = 48.
        Assert.Equal(["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json"], files);
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(dir.File("model.safetensors.index.json"))))
        {
            Assert.Equal(232, doc.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
            var map = doc.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            Assert.Equal("model-00001-of-00003.safetensors", map["model.t1.weight"]);
            Assert.Equal("model-00002-of-00003.safetensors", map["model.t2.weight"]);
            Assert.Equal("model-00003-of-00003.safetensors", map["model.t4.weight"]);
            Assert.Equal(map.Keys.Order(StringComparer.Ordinal), map.Keys); // sorted like transformers writes it
        }
        using var back = ShardedSafetensors.Open(dir.File("model.safetensors.index.json"));
        Assert.Equal(store.Tensors, back.Tensors);
        foreach (var t in store.Tensors) Assert.Equal(store.ReadBytes(t.Name), back.ReadBytes(t.Name));
    }

    [Fact]
    public void EverythingInOneShardWritesASingleFile()
    {
        using var dir = new TempDir();
        var files = SafetensorsWriter.WriteSharded(dir.Path, TensorSource.All(RandomStore(DType.F16, 1)), maxShardBytes: 1 << 20);
        Assert.Equal(["model.safetensors"], files);
        Assert.Equal(["model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void StreamedSourceWithTheWrongSizeFailsAndLeavesNoFile()
    {
        using var dir = new TempDir();
        var info = new TensorInfo("w", DType.F32, [4]);
        var source = new TensorSource(info, s => s.Write(new byte[12]));
        Assert.Throws<InvalidOperationException>(() => SafetensorsWriter.Write(dir.File("m.safetensors"), [source]));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void IndexNamingAMissingShardIsRejected()
    {
        using var dir = new TempDir();
        SafetensorsWriter.WriteSharded(dir.Path, TensorSource.All(RandomStore(DType.F32, 3)), maxShardBytes: 90);
        File.Delete(dir.File("model-00002-of-00003.safetensors"));
        var index = dir.File("model.safetensors.index.json");
        var ex = Assert.Throws<Med42Exception>(() => ShardedSafetensors.Open(index));
        Assert.Equal($"{index}: shard 'model-00002-of-00003.safetensors': shard file not found beside the index (needed by tensor 'model.t2.weight')", ex.Message);
    }

    [Fact]
    public void IndexListingATensorAbsentFromItsShardIsRejected()
    {
        using var dir = new TempDir();
        SafetensorsWriter.Write(dir.File("model-00001-of-00001.safetensors"), RandomStore(DType.F32, 3));
        var index = dir.File("model.safetensors.index.json");
        File.WriteAllText(index, """{"metadata":{},"weight_map":{"model.t0.weight":"model-00001-of-00001.safetensors","lm_head.weight":"model-00001-of-00001.safetensors"}}""");
        var ex = Assert.Throws<Med42Exception>(() => ShardedSafetensors.Open(index));
        Assert.Equal($"{index}: tensor 'lm_head.weight': listed in weight_map under shard 'model-00001-of-00001.safetensors' but missing from that file", ex.Message);
    }

    [Fact]
    public void IndexShardOutsideTheFolderIsRejected()
    {
        using var dir = new TempDir();
        var index = dir.File("model.safetensors.index.json");
        File.WriteAllText(index, """{"weight_map":{"w":"../evil.safetensors"}}""");
        var ex = Assert.Throws<Med42Exception>(() => ShardedSafetensors.Open(index));
        Assert.Contains("shard must be a plain file name", ex.Message);
    }

    [Fact]
    public void InvalidIndexJsonGivesTheByteOffset()
    {
        using var dir = new TempDir();
        var index = dir.File("model.safetensors.index.json");
        File.WriteAllBytes(index, Encoding.UTF8.GetBytes("{\n  \"weight_map\": {,}\n}"));
        var ex = Assert.Throws<Med42Exception>(() => ShardedSafetensors.Open(index));
        // The stray ',' is at byte 19: line 2 starts at byte 2 and reads `  "weight_map": {,` (the comma is 17 bytes in).
        Assert.True(ex.Message.StartsWith($"{index}: byte 19 (line 2): invalid JSON", StringComparison.Ordinal), ex.Message);
    }
}
