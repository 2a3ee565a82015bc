// The LoRA adapter tensors of a model: names (PEFT's), shapes, PEFT-style initialisation, and merging
// into the base weights. A is [r, in] and B is [out, r] as in PEFT's nn.Linear(in, r) / nn.Linear(r, out).
// Init matches PEFT reset_lora_parameters: kaiming_uniform_(A, a=√5) ⇒ U(−1/√in, 1/√in); B = 0.
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Llama.Lora;

public static class LoraWeights
{
    /// <summary>PEFT's prefix: PeftModel → LoraModel → LlamaForCausalLM.</summary>
    public const string PeftPrefix = "base_model.model.";

    /// <summary>"base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight" (<paramref name="which"/> = 'A' or 'B').</summary>
    public static string Name(int layer, string projection, char which) =>
        $"{PeftPrefix}{WeightLayout.ProjectionPrefix(layer, projection)}.lora_{which}.weight";

    public static WeightSpec A(LlamaConfig c, LoraConfig l, int layer, string projection) =>
        new(Name(layer, projection, 'A'), [l.Rank, WeightLayout.ProjectionShape(c, projection).In], WeightKind.Linear, layer, projection + ".lora_A");

    public static WeightSpec B(LlamaConfig c, LoraConfig l, int layer, string projection) =>
        new(Name(layer, projection, 'B'), [WeightLayout.ProjectionShape(c, projection).Out, l.Rank], WeightKind.Linear, layer, projection + ".lora_B");

    /// <summary>Every adapter tensor in layer order, projections in WeightLayout order, A before B.</summary>
    public static IReadOnlyList<WeightSpec> For(LlamaConfig c, LoraConfig l)
    {
        var list = new List<WeightSpec>();
        for (var i = 0; i < c.NumHiddenLayers; i++)
            foreach (var p in WeightLayout.AllProjections.Where(l.Targets.Contains))
            {
                list.Add(A(c, l, i, p));
                list.Add(B(c, l, i, p));
            }
        return list;
    }

    /// <summary>Fresh adapter weights: A ~ U(−1/√in, 1/√in) from a seeded SplitMix64, B = 0.</summary>
    public static InMemoryTensorStore Initialize(LlamaConfig c, LoraConfig l, ulong seed)
    {
        var store = new InMemoryTensorStore($"<lora init seed {seed}>");
        var rng = new SplitMix64(seed);
        foreach (var spec in For(c, l))
        {
            var values = new float[spec.ElementCount];
            if (spec.Name.EndsWith(".lora_A.weight", StringComparison.Ordinal))
            {
                var bound = 1.0 / Math.Sqrt(spec.Shape[1]);
                for (var i = 0; i < values.Length; i++) values[i] = (float)((2 * rng.NextDouble() - 1) * bound);
            }
            store.AddFloat(spec.Name, spec.Shape, values);
        }
        return store;
    }

    /// <summary>W' = W + (α/r)·B·A for every target (float64 accumulation); other tensors copied.</summary>
    public static InMemoryTensorStore Merge(LlamaConfig c, ITensorStore baseWeights, LoraConfig l, ITensorStore adapter)
    {
        var merged = new InMemoryTensorStore($"{baseWeights.Source} + {adapter.Source}");
        foreach (var spec in WeightLayout.For(c))
        {
            var w = baseWeights.ReadFloat32(spec.Name);
            if (spec.Kind == WeightKind.Linear && l.Targets.Contains(spec.Module))
            {
                var a = adapter.ReadFloat32(Name(spec.Layer, spec.Module, 'A'));
                var bm = adapter.ReadFloat32(Name(spec.Layer, spec.Module, 'B'));
                int outF = (int)spec.Shape[0], inF = (int)spec.Shape[1], r = l.Rank;
                for (var o = 0; o < outF; o++)
                    for (var i = 0; i < inF; i++)
                    {
                        double s = 0;
                        for (var k = 0; k < r; k++) s += (double)bm[o * r + k] * a[k * inF + i];
                        w[o * inF + i] = (float)(w[o * inF + i] + l.Scale * s);
                    }
            }
            RequireFiniteMerge(w, merged.Source, spec.Name, l);
            merged.AddFloat(spec.Name, spec.Shape, w);
        }
        return merged;
    }

    /// <summary>Refuses a merged weight holding NaN/Inf (e.g. a huge lora_alpha / r overflowing float32), naming the tensor.</summary>
    public static void RequireFiniteMerge(ReadOnlySpan<float> merged, string source, string name, LoraConfig l)
    {
        var i = FiniteCheck.FirstNonFinite(merged);
        if (i < 0) return;
        var v = merged[(int)i];
        throw Core.Errors.Med42Exception.At(source, $"tensor '{name}'",
            $"merged weight element {i} is {(float.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf")}: W + (lora_alpha / r)·B·A is not finite (lora_alpha {l.Alpha}, r {l.Rank}); refusing to write it");
    }
}
