// LoRA hyper-parameters as PEFT's LoraConfig names them (r, lora_alpha, lora_dropout, target_modules).
// Validate() throws naming the field, so recipe and CLI errors point at what to fix.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Llama.Lora;

public sealed record LoraConfig
{
    /// <summary>r: the rank of A [r, in] and B [out, r].</summary>
    public int Rank { get; init; } = 8;

    /// <summary>lora_alpha: the update is scaled by alpha / r.</summary>
    public double Alpha { get; init; } = 16;

    /// <summary>lora_dropout: dropout probability on the LoRA branch's input (0 = none).</summary>
    public double Dropout { get; init; }

    /// <summary>target_modules: projection names (q_proj … down_proj).</summary>
    public IReadOnlyList<string> Targets { get; init; } = ["q_proj", "v_proj"];

    public double Scale => Alpha / Rank;

    /// <summary>Largest rank accepted: far above any published LoRA (≤ 1024), low enough that r·(in + out) floats fit memory.</summary>
    public const int MaxRank = 4096;

    /// <summary>Throws naming the field (<see cref="Med42Exception.ForKey"/>); <paramref name="keyPrefix"/> places it in a larger config ("lora.").</summary>
    public LoraConfig Validate(string source = "lora", string keyPrefix = "")
    {
        Med42Exception Bad(string field, string problem) => Med42Exception.ForKey(source, keyPrefix + field, problem);
        if (Rank is <= 0 or > MaxRank) throw Bad("rank", $"must be in 1..{MaxRank}, got {Rank}");
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw Bad("alpha", $"must be positive and finite, got {Alpha}");
        // The graphs carry alpha / rank as a float32 constant.
        if (Scale > float.MaxValue) throw Bad("alpha", $"/ 'rank' = {Scale} does not fit float32");
        if (!(Dropout >= 0 && Dropout < 1)) throw Bad("dropout", $"must be in [0, 1), got {Dropout}");
        if (Targets.Count == 0) throw Bad("targets", $"must name at least one projection ({string.Join(", ", WeightLayout.AllProjections)})");
        foreach (var t in Targets)
            if (!WeightLayout.AllProjections.Contains(t))
                throw Bad("targets", $"has unknown projection '{t}' (expected one of {string.Join(", ", WeightLayout.AllProjections)})");
        if (Targets.Distinct(StringComparer.Ordinal).Count() != Targets.Count) throw Bad("targets", "lists a projection twice");
        return this;
    }
}
