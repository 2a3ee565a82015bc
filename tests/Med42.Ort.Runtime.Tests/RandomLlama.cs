// Seeded random Llama weights for tests (splitmix64 + Box-Muller: independent of System.Random).
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;

namespace Med42.Ort.Runtime.Tests;

public static class RandomLlama
{
    public static InMemoryTensorStore Create(LlamaConfig c, ulong seed, float std = 0.2f)
    {
        var store = new InMemoryTensorStore("random-llama");
        var state = seed;
        double Next()
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
        }
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - Next())) * Math.Cos(2 * Math.PI * Next());
        foreach (var spec in WeightLayout.For(c))
        {
            var values = new float[spec.ElementCount];
            for (var i = 0; i < values.Length; i++)
                values[i] = spec.Kind == WeightKind.Norm ? (float)(1 + 0.1 * Gauss()) : (float)(std * Gauss());
            store.AddFloat(spec.Name, spec.Shape, values);
        }
        return store;
    }
}
