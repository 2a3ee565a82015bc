// The models the benchmarks sweep, by their --models name: llama2.c's stories260K (the real checkpoint from
// ../shared/data) and random weights in the stories15M and stories110M shapes (LlamaShapes).
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Bench;

internal static class BenchShapes
{
    /// <summary>(display name, config) for a name from --models, without building the random weights.</summary>
    public static (string Name, LlamaConfig Config) Describe(string name, BenchOptions options)
    {
        switch (name.ToLowerInvariant())
        {
            case "15m": return ("stories15M-shape (random)", LlamaShapes.Stories15M);
            case "110m": return ("stories110M-shape (random)", LlamaShapes.Stories110M);
            default:
                var (label, config, weights) = Load(name, options);
                weights.Dispose();
                return (label, config);
        }
    }

    /// <summary>(display name, config, weights) for a name from --models.</summary>
    public static (string Name, LlamaConfig Config, ITensorStore Weights) Load(string name, BenchOptions options)
    {
        switch (name.ToLowerInvariant())
        {
            case "15m": return ("stories15M-shape (random)", LlamaShapes.Stories15M, TinyLlama.Create(LlamaShapes.Stories15M, seed: 15));
            case "110m": return ("stories110M-shape (random)", LlamaShapes.Stories110M, TinyLlama.Create(LlamaShapes.Stories110M, seed: 110));
            case "stories260k":
                var path = options.Stories260K ?? FindShared("models/stories260K/stories260K.bin")
                    ?? throw new Med42Exception("bench: stories260K not found; pass --stories260k PATH");
                var ckpt = LlamaCheckpoint.Open(path);
                return ("stories260K", ckpt.Config, ckpt.Weights);
            default: throw new Med42Exception($"bench: unknown model '{name}' (expected stories260K, 15M or 110M)");
        }
    }

    private static string? FindShared(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, "shared", "data", relative);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
