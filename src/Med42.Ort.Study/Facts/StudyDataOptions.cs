// Knobs of the embedded study data generator. With the 359-fact base the defaults give a ~96 KB
// corpus, ~3,000 instruction records and ~360 evaluation items; --quick studies can shrink the counts.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Study.Facts;

public sealed record StudyDataOptions
{
    public static StudyDataOptions Default { get; } = new();

    /// <summary>Share of each relation's facts that appear in no training text (group B).</summary>
    public double NeverTrainedFraction { get; init; } = 0.25;
    /// <summary>Share of each relation's facts that appear in the textbook corpus only.</summary>
    public double PretrainOnlyFraction { get; init; } = 0.15;
    /// <summary>Share of the held-in facts that also appear in the textbook corpus.</summary>
    public double HeldInCorpusFraction { get; init; } = 0.5;
    /// <summary>Corpus sentences per corpus fact, each with a different template where possible.</summary>
    public int CorpusSentencesPerFact { get; init; } = 3;
    /// <summary>Generic, fact-free sentences mixed into the corpus so a tiny model learns plain English.</summary>
    public int FillerSentences { get; init; } = 300;
    /// <summary>Corpus sentences naming each held-in subject and object alone (a glossary line, never a fact).</summary>
    public int GlossarySentencesPerTerm { get; init; } = 2;
    /// <summary>Fact-free "Question: …\nAnswer: …" pairs mixed into the corpus.</summary>
    public int LayoutSentences { get; init; } = 100;
    /// <summary>Sentences per corpus paragraph (drawn uniformly in [min, max]).</summary>
    public int MinParagraphSentences { get; init; } = 3;
    public int MaxParagraphSentences { get; init; } = 6;
    /// <summary>Free-text question/answer records per held-in fact.</summary>
    public int InstructPerFact { get; init; } = 3;
    /// <summary>Short-answer practice records per held-in fact ("Question: {training stem}\nAnswer:" → the object).</summary>
    public int PracticeClozePerFact { get; init; } = 6;
    /// <summary>Plain-text statement records per held-in fact (the relation's corpus sentences, cycled).</summary>
    public int StatementsPerFact { get; init; } = 4;
    /// <summary>Multiple-choice practice records (training stems, lettered answer) per held-in fact.</summary>
    public int PracticeMcqPerFact { get; init; } = 1;
    /// <summary>Evaluation items per fact, each with a different held-out stem.</summary>
    public int McqPerFact { get; init; } = 1;

    /// <summary>Rejects impossible settings before any work starts, naming the field.</summary>
    public void Validate(int minHeldOutStems)
    {
        static Med42Exception Bad(string field, string message) => Med42Exception.At("study data options", field, message);
        if (NeverTrainedFraction is < 0 or > 1 || double.IsNaN(NeverTrainedFraction)) throw Bad(nameof(NeverTrainedFraction), "must be in [0, 1]");
        if (PretrainOnlyFraction is < 0 or > 1 || double.IsNaN(PretrainOnlyFraction)) throw Bad(nameof(PretrainOnlyFraction), "must be in [0, 1]");
        if (NeverTrainedFraction + PretrainOnlyFraction > 0.8) throw Bad(nameof(NeverTrainedFraction), "with PretrainOnlyFraction must leave at least 20% of facts held in");
        if (HeldInCorpusFraction is < 0 or > 1 || double.IsNaN(HeldInCorpusFraction)) throw Bad(nameof(HeldInCorpusFraction), "must be in [0, 1]");
        if (CorpusSentencesPerFact < 1) throw Bad(nameof(CorpusSentencesPerFact), "must be at least 1");
        if (GlossarySentencesPerTerm < 0) throw Bad(nameof(GlossarySentencesPerTerm), "must not be negative");
        if (LayoutSentences < 0) throw Bad(nameof(LayoutSentences), "must not be negative");
        if (FillerSentences < 0) throw Bad(nameof(FillerSentences), "must not be negative");
        if (MinParagraphSentences < 1 || MaxParagraphSentences < MinParagraphSentences) throw Bad(nameof(MaxParagraphSentences), "need 1 <= MinParagraphSentences <= MaxParagraphSentences");
        if (InstructPerFact < 1) throw Bad(nameof(InstructPerFact), "must be at least 1");
        if (PracticeClozePerFact < 0) throw Bad(nameof(PracticeClozePerFact), "must not be negative");
        if (StatementsPerFact < 0) throw Bad(nameof(StatementsPerFact), "must not be negative");
        if (PracticeMcqPerFact < 0) throw Bad(nameof(PracticeMcqPerFact), "must not be negative");
        if (McqPerFact < 1 || McqPerFact > minHeldOutStems) throw Bad(nameof(McqPerFact), $"must be between 1 and {minHeldOutStems} (the fewest held-out stems of any relation)");
    }
}
