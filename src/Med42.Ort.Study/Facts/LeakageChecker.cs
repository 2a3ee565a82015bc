// The leakage check of the study: (1) no literal run of a held-out question stem (>= 4 words) and no
// rendered evaluation question occurs in any training text; (2) no never-trained fact has its subject
// and its object together (whole-word, case-insensitive) in one training text (a corpus paragraph or
// one instruction record).
namespace Med42.Ort.Study.Facts;

public sealed class LeakageChecker
{
    private readonly List<(Fact Fact, string Subject, string Object)> _never;
    private readonly List<string> _fragments;
    private readonly List<string> _questions;

    public LeakageChecker(IEnumerable<Fact> neverTrained, IEnumerable<string> heldOutStems, IEnumerable<string> evaluationQuestions)
    {
        _never = neverTrained.Select(f => (f, TemplateText.Normalize(f.Subject), TemplateText.Normalize(f.Object))).ToList();
        _fragments = heldOutStems.SelectMany(s => TemplateText.LiteralFragments(s, FactBaseParser.MinFragmentWords)).Distinct().ToList();
        _questions = evaluationQuestions.Select(TemplateText.Normalize).Distinct().ToList();
    }

    /// <summary>The never-trained fact whose subject and object both occur in text, or null.</summary>
    public Fact? CoMentionedFact(string text)
    {
        var norm = TemplateText.Normalize(text);
        foreach (var (fact, subject, obj) in _never)
            if (TemplateText.ContainsTerm(norm, subject) && TemplateText.ContainsTerm(norm, obj)) return fact;
        return null;
    }

    /// <summary>Every violation found, as readable lines (empty when the training texts are clean).</summary>
    public IReadOnlyList<string> Find(IEnumerable<string> trainingTexts)
    {
        var violations = new List<string>();
        var normalised = new List<string>();
        var index = 0;
        foreach (var text in trainingTexts)
        {
            var fact = CoMentionedFact(text);
            if (fact is not null)
                violations.Add($"training text {index} mentions never-trained fact {fact.Id} ('{fact.Subject}' with '{fact.Object}')");
            normalised.Add(TemplateText.Normalize(text));
            index++;
        }
        // One joined blob: the separator cannot occur inside a fragment, so matches stay within a text.
        var blob = string.Join("\n\u0001\n", normalised);
        foreach (var fragment in _fragments)
            if (blob.Contains(fragment, StringComparison.Ordinal)) violations.Add($"held-out template text '{fragment}' occurs in training text");
        foreach (var question in _questions)
            if (blob.Contains(question, StringComparison.Ordinal)) violations.Add($"evaluation question '{question}' occurs in training text");
        return violations;
    }
}
