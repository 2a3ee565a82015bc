// Tests of the embedded fact base (Data/medical_facts.tsv) and of FactBase's strict validation.
// Run: dotnet test tests/Med42.Ort.Study.Tests --filter FullyQualifiedName~FactBaseTests
using Med42.Ort.Core.Errors;
using Med42.Ort.Study.Facts;

namespace Med42.Ort.Study.Tests.Facts;

public class FactBaseTests
{
    private static readonly FactBase Embedded = FactBase.LoadEmbedded();

    [Fact]
    public void EmbeddedBaseHasEnoughFactsAndRelations()
    {
        Assert.True(Embedded.Facts.Count >= 300, $"{Embedded.Facts.Count} facts");
        Assert.True(Embedded.Relations.Count >= 8, $"{Embedded.Relations.Count} relations");
        foreach (var r in Embedded.Relations)
        {
            var facts = Embedded.Facts.Where(f => f.RelationId == r.Id).ToList();
            // Counted here independently of FactBase.ObjectsOf.
            var distinct = facts.Select(f => f.Object.ToLowerInvariant()).Distinct().Count();
            Assert.True(distinct >= 4, $"relation {r.Id}: {distinct} distinct objects");
            Assert.True(r.HeldOutStems.Count >= 2 && r.PracticeStems.Count >= 2 && r.CorpusTemplates.Count >= 3, r.Id);
        }
    }

    [Fact]
    public void EmbeddedFileIsLabelledAsTeachingDataNotMedicalAdvice()
    {
        using var stream = typeof(FactBase).Assembly.GetManifestResourceStream("Med42.Ort.Study.Data.medical_facts.tsv")!;
        var firstLine = new StreamReader(stream).ReadLine()!;
        Assert.StartsWith("#", firstLine);
        Assert.Contains("TEACHING DATA", firstLine);
        Assert.Contains("NOT MEDICAL ADVICE", firstLine);
    }

    [Fact]
    public void FactIdsAreUniqueAndNumberedWithinTheirRelation()
    {
        Assert.Equal(Embedded.Facts.Count, Embedded.Facts.Select(f => f.Id).Distinct().Count());
        var first = Embedded.Facts.First(f => f.RelationId == "drug_class");
        Assert.Equal("drug_class-001", first.Id);
        Assert.Equal("metformin", first.Subject);
        Assert.Equal("biguanide", first.Object);
    }

    [Fact]
    public void KnownClassicFactsArePresent()
    {
        // A few classic textbook facts as anchors, so an accidental edit of the data file is noticed.
        Assert.True(Embedded.IsCorrect("deficiency", "thiamine deficiency", "Wernicke encephalopathy"));
        Assert.True(Embedded.IsCorrect("drug_class", "Metformin", "BIGUANIDE"));
        Assert.False(Embedded.IsCorrect("drug_class", "metformin", "sulfonylurea"));
    }

    private const string Header = "relation\tr\tthing\tkind\tthing -> kind\n"
        + "template\tr\tcorpus\t{S} is {o}.\n"
        + "template\tr\tinstruct\tWhat is {s}?\t{S} is {o}.\n"
        + "template\tr\tpractice\tWhat is {s}?\n"
        + "template\tr\theldout\tA reviewer looks closely at {s}. Which of the following kinds fits it best?\n";
    private const string FourFacts = "fact\tr\ta\tw\nfact\tr\tb\tx\nfact\tr\tc\ty\nfact\tr\td\tz\n";

    [Fact]
    public void MinimalValidFileParses()
    {
        var fb = FactBase.Parse(Header + FourFacts, "mini.tsv");
        Assert.Equal(4, fb.Facts.Count);
        Assert.Equal(9, fb.Facts[3].Line); // 5 header lines, then facts on lines 6..9
    }

    [Theory]
    // (text appended after the header and one comment line, expected line, expected message part)
    [InlineData(FourFacts + "fact\tr\tb\tx\n", 11, "duplicate fact")]
    [InlineData(FourFacts + "fact\tr\tB\tX\n", 11, "duplicate fact")]
    [InlineData(FourFacts + "fact\tq\te\tv\n", 11, "unknown relation 'q'")]
    [InlineData(FourFacts + "fact\tr\t\tv\n", 11, "field 3 is empty")]
    [InlineData(FourFacts + "fact\tr\te\n", 11, "4 fields")]
    [InlineData(FourFacts + "fakt\tr\te\tv\n", 11, "unknown record kind 'fakt'")]
    [InlineData(FourFacts + "fact\tr\t e\tv\n", 11, "whitespace")]
    [InlineData(FourFacts + "template\tr\tcorpus\t{S} only.\n", 11, "needs both {s} and {o}")]
    [InlineData(FourFacts + "template\tr\theldout\tWhat is {s}? Pick {o}.\n", 11, "must not contain {o}")]
    [InlineData(FourFacts + "template\tr\tweird\t{s} {o}\n", 11, "unknown template kind")]
    [InlineData(FourFacts + "template\tr\tcorpus\t{s} is {x} {o}\n", 11, "placeholder")]
    [InlineData(FourFacts + "relation\tr\ta\tb\tc\n", 11, "duplicate relation 'r'")]
    public void ValidationErrorsNameTheLine(string body, int line, string message)
    {
        var ex = Assert.Throws<Med42Exception>(() => FactBase.Parse(Header + "# comment line\n" + body, "bad.tsv"));
        Assert.StartsWith($"bad.tsv: line {line}: ", ex.Message);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void DuplicateFactNamesTheFirstOccurrence()
    {
        var ex = Assert.Throws<Med42Exception>(() => FactBase.Parse(Header + FourFacts + "fact\tr\tc\ty\n", "dup.tsv"));
        Assert.Equal("dup.tsv: line 10: duplicate fact 'c' -> 'y' in relation 'r' (first on line 8)", ex.Message);
    }

    [Fact]
    public void TooFewDistinctObjectsNamesTheRelationLine()
    {
        var ex = Assert.Throws<Med42Exception>(() => FactBase.Parse(Header + "fact\tr\ta\tw\nfact\tr\tb\tx\nfact\tr\tc\tx\nfact\tr\td\ty\n", "few.tsv"));
        Assert.StartsWith("few.tsv: line 1: relation 'r': has 3 distinct objects", ex.Message);
    }

    [Fact]
    public void HeldOutStemSharingTextWithATrainingTemplateIsRejected()
    {
        var leaky = Header + "template\tr\tcorpus\tA reviewer looks closely at {s} and says {o}.\n" + FourFacts;
        var ex = Assert.Throws<Med42Exception>(() => FactBase.Parse(leaky, "leaky.tsv"));
        Assert.Contains("line 1: relation 'r': held-out stem fragment 'a reviewer looks closely at'", ex.Message);
    }

    [Fact]
    public void MissingFileIsAMed42Exception()
    {
        using var tmp = new Med42.Ort.Tests.Shared.TempDir();
        var ex = Assert.Throws<Med42Exception>(() => FactBase.Load(tmp.File("none.tsv")));
        Assert.Contains("none.tsv", ex.Message);
    }
}
