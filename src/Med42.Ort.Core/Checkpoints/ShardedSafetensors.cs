// A sharded safetensors checkpoint read through its index
// ({"metadata":{"total_size":N},"weight_map":{tensor: shard file}}, transformers' format).
// Each shard is a memory-mapped SafetensorsFile; shard names must be plain file names beside the
// index (no path escapes). Errors name the index file and the shard or tensor at fault.
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Core.Checkpoints;

public sealed class ShardedSafetensors : ITensorStore
{
    private readonly List<SafetensorsFile> _shards = [];
    private readonly Dictionary<string, SafetensorsFile> _owner = new(StringComparer.Ordinal);
    private readonly List<TensorInfo> _order = [];

    public string Source { get; }
    public IReadOnlyList<TensorInfo> Tensors => _order;

    /// <summary>The shard files, in file-name order.</summary>
    public IReadOnlyList<SafetensorsFile> Shards => _shards;

    /// <summary>Opens either an index.json or a single .safetensors file as a store.</summary>
    public static ITensorStore OpenAny(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? Open(path) : SafetensorsFile.Open(path);

    public static ShardedSafetensors Open(string indexPath) => new(indexPath);

    private ShardedSafetensors(string indexPath)
    {
        Source = indexPath;
        var dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var map = new List<(string Tensor, string Shard)>();
        using (var doc = JsonFile.Read(indexPath))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
                throw Med42Exception.At(indexPath, "weight_map", "missing object 'weight_map'");
            foreach (var p in wm.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw Med42Exception.At(indexPath, $"weight_map '{p.Name}'", $"shard must be a file name string, got {p.Value.ValueKind}");
                map.Add((p.Name, p.Value.GetString()!));
            }
        }
        try
        {
            var byFile = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var shard in map.Select(m => m.Shard).Distinct().Order(StringComparer.Ordinal))
            {
                if (shard.Length == 0 || shard != Path.GetFileName(shard) || shard is "." or "..")
                    throw Med42Exception.At(indexPath, $"shard '{shard}'", "shard must be a plain file name in the index's folder");
                var full = Path.Combine(dir, shard);
                if (!File.Exists(full))
                    throw Med42Exception.At(indexPath, $"shard '{shard}'", $"shard file not found beside the index (needed by tensor '{map.First(m => m.Shard == shard).Tensor}')");
                var file = SafetensorsFile.Open(full);
                _shards.Add(file);
                byFile[shard] = file;
            }
            var wanted = map.ToDictionary(m => m.Tensor, m => m.Shard, StringComparer.Ordinal);
            foreach (var (tensor, shard) in map)
                if (!byFile[shard].Contains(tensor))
                    throw Med42Exception.At(indexPath, $"tensor '{tensor}'", $"listed in weight_map under shard '{shard}' but missing from that file");
            // Stored order: shard by shard, each in its buffer order.
            foreach (var file in _shards)
                foreach (var t in file.Tensors)
                    if (wanted.TryGetValue(t.Name, out var s) && byFile[s] == file)
                    {
                        _order.Add(t);
                        _owner[t.Name] = file;
                    }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _owner.ContainsKey(name);

    public TensorInfo Info(string name) => Owner(name).Info(name);

    public void ReadBytes(string name, Span<byte> dest) => Owner(name).ReadBytes(name, dest);

    /// <summary>The shard holding a tensor (for in-place spans and streams).</summary>
    public SafetensorsFile Owner(string name) =>
        _owner.TryGetValue(name, out var f) ? f : throw new Med42Exception($"{Source}: missing tensor '{name}'");

    public void Dispose()
    {
        foreach (var s in _shards) s.Dispose();
        _shards.Clear();
    }
}
