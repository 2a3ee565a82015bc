// The embedded default of `med42 study`: from the fact base and one seed, the textbook corpus
// (pretraining), the instruction set (fine-tuning) and the multiple-choice evaluation sets, with the
// leakage check run before anything is returned. Same seed and options => byte-identical files.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Randomness;

namespace Med42.Ort.Study.Facts;

public sealed class StudyDataset
{
    public const string CorpusFile = "corpus.txt";
    public const string InstructFile = "instruct.jsonl";
    public const string McqHeldInFile = "mcq_heldin.jsonl";
    public const string McqNeverFile = "mcq_never.jsonl";
    public const string McqPretrainFile = "mcq_pretrain.jsonl";
    public const string McqItemsFile = "mcq_items.jsonl";
    /// <summary>Written last: its presence means the folder holds a complete set.</summary>
    public const string ManifestFile = "manifest.json";

    private StudyDataset(int seed, StudyDataOptions options, FactBase facts, FactSplit split)
    {
        Seed = seed;
        Options = options;
        Facts = facts;
        Split = split;
    }

    public int Seed { get; }
    public StudyDataOptions Options { get; }
    public FactBase Facts { get; }
    public FactSplit Split { get; }
    /// <summary>Textbook paragraphs, in file order.</summary>
    public IReadOnlyList<string> Corpus { get; private set; } = [];
    /// <summary>Instruction records (free-text "qa" and lettered "mcq" practice), in file order.</summary>
    public IReadOnlyList<InstructRecord> Instruct { get; private set; } = [];
    /// <summary>Held-in facts asked with held-out stems.</summary>
    public IReadOnlyList<McqItem> McqHeldIn { get; private set; } = [];
    /// <summary>Never-trained facts: accuracy must stay near chance.</summary>
    public IReadOnlyList<McqItem> McqNever { get; private set; } = [];
    /// <summary>Pretrain-only facts (seen in the corpus, never in the instruction set).</summary>
    public IReadOnlyList<McqItem> McqPretrain { get; private set; } = [];
    /// <summary>The practice items behind the "mcq" instruction records (training data, not evaluation).</summary>
    public IReadOnlyList<McqItem> McqPractice { get; private set; } = [];

    public IReadOnlyList<Fact> FactsIn(FactGroup group) => Facts.Facts.Where(f => Split.GroupOf(f) == group).ToList();

    /// <summary>Every training text unit: corpus paragraphs, then instruction records.</summary>
    public IEnumerable<string> TrainingTexts() => Corpus.Concat(Instruct.Select(r => r.Text));

    /// <summary>A checker for this dataset's never-trained facts, held-out stems and evaluation questions.</summary>
    public LeakageChecker CreateLeakageChecker() => new(
        FactsIn(FactGroup.NeverTrained),
        Facts.Relations.SelectMany(r => r.HeldOutStems),
        McqHeldIn.Concat(McqNever).Concat(McqPretrain).Select(m => m.Question));

    /// <summary>Leakage violations of this dataset (empty for anything Generate returned).</summary>
    public IReadOnlyList<string> FindLeaks() => CreateLeakageChecker().Find(TrainingTexts());

    /// <summary>Generates the study data; throws Med42Exception for bad options or when the data would leak.</summary>
    public static StudyDataset Generate(int seed, StudyDataOptions? options = null, FactBase? facts = null)
    {
        options ??= StudyDataOptions.Default;
        facts ??= FactBase.LoadEmbedded();
        options.Validate(facts.Relations.Min(r => r.HeldOutStems.Count));
        var useed = unchecked((ulong)seed);
        var split = FactSplit.Create(facts, useed, options);
        var data = new StudyDataset(seed, options, facts, split);
        var mcq = new McqGenerator(facts, split);

        var evalRng = SplitMix64.Derive(useed, "mcq");
        data.McqHeldIn = mcq.Evaluation(McqSplit.HeldIn, data.FactsIn(FactGroup.HeldIn), options.McqPerFact, evalRng);
        data.McqNever = mcq.Evaluation(McqSplit.Never, data.FactsIn(FactGroup.NeverTrained), options.McqPerFact, evalRng);
        data.McqPretrain = mcq.Evaluation(McqSplit.Pretrain, data.FactsIn(FactGroup.PretrainOnly), options.McqPerFact, evalRng);

        var guard = data.CreateLeakageChecker();
        data.Corpus = CorpusGenerator.Generate(facts, split, options, guard, SplitMix64.Derive(useed, "corpus"));
        var (records, practice) = InstructGenerator.Generate(facts, split, options, mcq, guard, SplitMix64.Derive(useed, "instruct"));
        data.Instruct = records;
        data.McqPractice = practice;

        var leaks = guard.Find(data.TrainingTexts());
        if (leaks.Count > 0)
            throw Med42Exception.At(facts.FileName, $"seed {seed}", $"study data would leak ({leaks.Count} violations), first: {leaks[0]}");
        return data;
    }

    /// <summary>
    /// Writes corpus.txt, instruct.jsonl, mcq_heldin/never/pretrain.jsonl ({question, choices, answer}),
    /// mcq_items.jsonl (the same items with ids and metadata) and manifest.json into dir. Each file goes
    /// to a temporary name and is renamed; the manifest is removed first and written last.
    /// </summary>
    public void WriteTo(string dir) => StudyDataWriter.Write(this, dir);
}
