// A seeded random-initialised Llama of any shape, for tests and the embedded default model.
// Deterministic everywhere: its own SplitMix64 generator and Box-Muller normals, never System.Random
// (whose algorithm may change between .NET versions). Linear and embedding weights ~ N(0, std);
// norm weights 1 + N(0, std) so RMSNorm is not the identity in tests.
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

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014) with Box-Muller normals.</summary>
    public sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;
        private double? _spare;

        public ulong NextUInt64()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in (0, 1): 53 random bits, never 0 so the logarithm below is finite.</summary>
        public double NextDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

        public double NextNormal()
        {
            if (_spare is { } s)
            {
                _spare = null;
                return s;
            }
            var r = Math.Sqrt(-2.0 * Math.Log(NextDouble()));
            var a = 2.0 * Math.PI * NextDouble();
            _spare = r * Math.Sin(a);
            return r * Math.Cos(a);
        }
    }
}
