using Med42.Ort.Core.Randomness;
// Seeded assignment of every fact to one of three disjoint groups (held-in, pretrain-only,
// never-trained), stratified per relation so every relation has items in every group.
namespace Med42.Ort.Study.Facts;

public sealed class FactSplit
{
    private readonly Dictionary<string, FactGroup> _group;
    private readonly HashSet<string> _inCorpus;

    private FactSplit(Dictionary<string, FactGroup> group, HashSet<string> inCorpus)
    {
        _group = group;
        _inCorpus = inCorpus;
    }

    public FactGroup GroupOf(Fact fact) => _group[fact.Id];

    /// <summary>Whether the fact appears in the textbook corpus (all pretrain-only facts, part of the held-in ones).</summary>
    public bool InCorpus(Fact fact) => _inCorpus.Contains(fact.Id);

    /// <summary>Whether the fact appears in any training text (corpus or instruction set).</summary>
    public bool IsTrained(Fact fact) => _group[fact.Id] != FactGroup.NeverTrained;

    public static FactSplit Create(FactBase facts, ulong seed, StudyDataOptions options)
    {
        var rng = SplitMix64.Derive(seed, "split");
        var group = new Dictionary<string, FactGroup>(StringComparer.Ordinal);
        var inCorpus = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relation in facts.Relations)
        {
            var list = facts.FactsOf(relation.Id).ToList();
            rng.Shuffle(list);
            var never = (int)Math.Round(list.Count * options.NeverTrainedFraction, MidpointRounding.AwayFromZero);
            var pretrain = (int)Math.Round(list.Count * options.PretrainOnlyFraction, MidpointRounding.AwayFromZero);
            pretrain = Math.Min(pretrain, list.Count - never);
            var heldIn = list.Count - never - pretrain;
            var heldInCorpus = (int)Math.Round(heldIn * options.HeldInCorpusFraction, MidpointRounding.AwayFromZero);
            for (var i = 0; i < list.Count; i++)
            {
                var g = i < never ? FactGroup.NeverTrained : i < never + pretrain ? FactGroup.PretrainOnly : FactGroup.HeldIn;
                group[list[i].Id] = g;
                // The shuffled order is random, so the first heldInCorpus held-in facts are a random subset.
                if (g == FactGroup.PretrainOnly || (g == FactGroup.HeldIn && i - never - pretrain < heldInCorpus)) inCorpus.Add(list[i].Id);
            }
        }
        return new FactSplit(group, inCorpus);
    }
}
