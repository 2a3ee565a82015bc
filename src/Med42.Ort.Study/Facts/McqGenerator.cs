// Builds four-option items: the fact's object plus three distractors of the same relation that are
// never a correct object for the subject. Distractors match the answer's "familiarity" (whether the
// object can occur in training text at all), so a model cannot pick the answer merely because it is the one
// option it has (or has not) seen; answer positions are balanced exactly (n/4 per letter, shuffled).
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Randomness;

namespace Med42.Ort.Study.Facts;

internal sealed class McqGenerator(FactBase facts, FactSplit split)
{
    // Objects of the relation's trained facts: the only options practice (training) items may show.
    private readonly Dictionary<string, HashSet<string>> _trainedObjects = facts.Relations.ToDictionary(
        r => r.Id,
        r => facts.FactsOf(r.Id).Where(split.IsTrained).Select(f => f.Object.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal),
        StringComparer.Ordinal);
    // Every subject and object of a trained fact of any relation: what training text can mention.
    private readonly List<string> _trainedTerms = facts.Facts.Where(split.IsTrained)
        .SelectMany(f => new[] { TemplateText.Normalize(f.Subject), TemplateText.Normalize(f.Object) }).Distinct().ToList();
    private readonly Dictionary<string, bool> _familiar = new(StringComparer.Ordinal);

    public bool IsTrainedObject(string relationId, string obj) => _trainedObjects[relationId].Contains(obj.ToLowerInvariant());

    /// <summary>Whether obj can occur in training text: it is, or is a whole-word part of, a trained fact's subject or object.</summary>
    public bool IsFamiliar(string obj)
    {
        var norm = TemplateText.Normalize(obj);
        if (!_familiar.TryGetValue(norm, out var familiar))
            _familiar[norm] = familiar = _trainedTerms.Any(t => TemplateText.ContainsTerm(t, norm));
        return familiar;
    }

    /// <summary>
    /// Three distractors for fact. trainedOnly: draw only objects of the relation's trained facts
    /// (practice items, so never-trained objects never show up in training text as wrong answers);
    /// otherwise prefer objects as familiar as the answer and fall back to the others.
    /// </summary>
    public List<string> Distractors(Fact fact, SplitMix64 rng, bool trainedOnly)
    {
        var candidates = facts.ObjectsOf(fact.RelationId).Where(o => !facts.IsCorrect(fact.RelationId, fact.Subject, o)).ToList();
        var answerFamiliar = IsFamiliar(fact.Object);
        var preferred = trainedOnly
            ? candidates.Where(o => IsTrainedObject(fact.RelationId, o)).ToList()
            : candidates.Where(o => IsFamiliar(o) == answerFamiliar).ToList();
        var rest = trainedOnly ? [] : candidates.Except(preferred).ToList();
        rng.Shuffle(preferred);
        rng.Shuffle(rest);
        var picked = preferred.Concat(rest).Take(3).ToList();
        if (picked.Count < 3)
            throw Med42Exception.At(facts.FileName, $"line {fact.Line}",
                $"fact {fact.Id}: only {picked.Count} distractor candidates; relation '{fact.RelationId}' needs more distinct objects (or more trained facts) for this split");
        return picked;
    }

    /// <summary>Exactly balanced answer positions for n items (each letter n/4 times, remainder spread), shuffled.</summary>
    public static int[] BalancedPositions(int n, SplitMix64 rng)
    {
        var positions = Enumerable.Range(0, n).Select(i => i % 4).ToArray();
        rng.Shuffle(positions);
        return positions;
    }

    public static IReadOnlyList<string> Place(string answer, List<string> distractors, int position)
    {
        var choices = new List<string>(distractors);
        choices.Insert(position, answer);
        return choices;
    }

    /// <summary>Evaluation items over the given facts with held-out stems (perFact distinct stems each), in shuffled order.</summary>
    public List<McqItem> Evaluation(string splitName, IReadOnlyList<Fact> group, int perFact, SplitMix64 rng)
    {
        var drafts = new List<(Fact Fact, string Stem, List<string> Distractors)>();
        foreach (var fact in group)
        {
            var stems = facts.Relation(fact.RelationId).HeldOutStems.ToList();
            rng.Shuffle(stems);
            for (var k = 0; k < perFact; k++) drafts.Add((fact, stems[k], Distractors(fact, rng, trainedOnly: false)));
        }
        rng.Shuffle(drafts);
        var positions = BalancedPositions(drafts.Count, rng);
        return drafts.Select((d, i) => new McqItem(
            $"{splitName}-{i + 1:D4}", splitName, d.Fact.RelationId, d.Fact.Id, d.Stem,
            TemplateText.Render(d.Stem, d.Fact.Subject, d.Fact.Object),
            Place(d.Fact.Object, d.Distractors, positions[i]), positions[i])).ToList();
    }
}
