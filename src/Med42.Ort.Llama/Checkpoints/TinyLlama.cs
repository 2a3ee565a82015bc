// A seeded random-initialised Llama of any shape, for tests and the embedded default model.
// Deterministic everywhere: Core's SplitMix64 generator and Box-Muller normals, never System.Random
// (whose algorithm may change between .NET versions). Linear and embedding weights ~ N(0, std);
// norm weights 1 + N(0, std) so RMSNorm is not the identity in tests.
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama.Checkpoints;

public static class TinyLlama
{
    /// <summary>F32 weights for every tensor of WeightLayout.For(config), in layout order.</summary>
    public static InMemoryTensorStore Create(LlamaConfig config, int seed, float std = 0.02f)
    {
        config.Validate("TinyLlama config");
        var store = new InMemoryTensorStore($"<tiny llama seed {seed}>");
        var rng = new SplitMix64((ulong)(uint)seed);
        foreach (var spec in WeightLayout.For(config))
        {
            var values = new float[spec.ElementCount];
            var offset = spec.Kind == WeightKind.Norm ? 1f : 0f;
            for (var i = 0; i < values.Length; i++) values[i] = offset + std * (float)rng.NextNormal();
            store.AddFloat(spec.Name, spec.Shape, values);
        }
        return store;
    }
}
