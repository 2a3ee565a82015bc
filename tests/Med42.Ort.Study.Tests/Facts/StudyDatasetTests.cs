// Tests of the embedded study data: determinism, disjoint groups, leakage, distractors, balance
// and the files written. Expected properties are re-derived here from the fact list with naive code
// (regex whole-word search, linear scans) rather than through the generator's own helpers.
using System.Text.Json;
using System.Text.RegularExpressions;
using Med42.Ort.Core.Errors;
using Med42.Ort.Study.Facts;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Study.Tests.Facts;

public class StudyDatasetTests
{
    private static readonly Lazy<StudyDataset> Seed7 = new(() => StudyDataset.Generate(7));

    private static bool Mentions(string text, string term) =>
        Regex.IsMatch(text, $@"(?<![\p{{L}}\p{{Nd}}]){Regex.Escape(term)}(?![\p{{L}}\p{{Nd}}])", RegexOptions.IgnoreCase);

    private static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir).ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    [Fact]
    public void SameSeedGivesByteIdenticalFiles()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        StudyDataset.Generate(11).WriteTo(a.Path);
        StudyDataset.Generate(11).WriteTo(b.Path);
        var fa = Files(a.Path);
        var fb = Files(b.Path);
        Assert.Equal(
            ["corpus.txt", "instruct.jsonl", "manifest.json", "mcq_heldin.jsonl", "mcq_items.jsonl", "mcq_never.jsonl", "mcq_pretrain.jsonl"],
            fa.Keys.Order());
        foreach (var (name, bytes) in fa) Assert.True(bytes.AsSpan().SequenceEqual(fb[name]), $"{name} differs between two runs with seed 11");
    }

    [Fact]
    public void DifferentSeedGivesDifferentSplit()
    {
        var a = Seed7.Value;
        var b = StudyDataset.Generate(8);
        var differing = a.Facts.Facts.Count(f => a.Split.GroupOf(f) != b.Split.GroupOf(f));
        Assert.True(differing > 50, $"only {differing} facts changed group between seeds 7 and 8");
        Assert.NotEqual(a.McqHeldIn.Select(m => m.Question), b.McqHeldIn.Select(m => m.Question));
    }

    [Fact]
    public void GroupsAreDisjointCoverEveryFactAndEveryRelation()
    {
        var d = Seed7.Value;
        var heldIn = d.FactsIn(FactGroup.HeldIn).Select(f => f.Id).ToHashSet();
        var pretrain = d.FactsIn(FactGroup.PretrainOnly).Select(f => f.Id).ToHashSet();
        var never = d.FactsIn(FactGroup.NeverTrained).Select(f => f.Id).ToHashSet();
        Assert.Empty(heldIn.Intersect(pretrain));
        Assert.Empty(heldIn.Intersect(never));
        Assert.Empty(pretrain.Intersect(never));
        Assert.Equal(d.Facts.Facts.Count, heldIn.Count + pretrain.Count + never.Count);
        foreach (var r in d.Facts.Relations)
        {
            var ids = d.Facts.Facts.Where(f => f.RelationId == r.Id).Select(f => f.Id).ToList();
            Assert.Contains(ids, never.Contains);
            Assert.Contains(ids, pretrain.Contains);
            Assert.Contains(ids, heldIn.Contains);
        }
        // Each evaluation split draws from its own group only.
        Assert.All(d.McqHeldIn, m => Assert.Contains(m.FactId, heldIn));
        Assert.All(d.McqNever, m => Assert.Contains(m.FactId, never));
        Assert.All(d.McqPretrain, m => Assert.Contains(m.FactId, pretrain));
        Assert.Equal(heldIn.Count, d.McqHeldIn.Count);
        Assert.Equal(never.Count, d.McqNever.Count);
    }

    [Fact]
    public void InstructionSetCoversExactlyTheHeldInFactsAndCorpusCoversPretrainOnlyFacts()
    {
        var d = Seed7.Value;
        var heldIn = d.FactsIn(FactGroup.HeldIn);
        Assert.Equal(heldIn.Select(f => f.Id).Order(), d.Instruct.Select(r => r.FactId).Distinct().Order());
        foreach (var f in heldIn)
            Assert.Contains(d.Instruct, r => r.FactId == f.Id && r.Kind == "qa" && Mentions(r.Instruction, f.Subject) && Mentions(r.Output, f.Object));
        foreach (var f in d.FactsIn(FactGroup.PretrainOnly))
            Assert.Contains(d.Corpus, p => Mentions(p, f.Subject) && Mentions(p, f.Object));
        var corpusHeldIn = heldIn.Count(f => d.Corpus.Any(p => Mentions(p, f.Subject) && Mentions(p, f.Object)));
        Assert.InRange(corpusHeldIn, 1, heldIn.Count - 1); // "part of" the held-in facts
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    [InlineData(-5)]
    public void LeakageChecksPass(int seed)
    {
        var d = seed == 7 ? Seed7.Value : StudyDataset.Generate(seed);
        Assert.Empty(d.FindLeaks());
        // Independent re-check with a regex: no never-trained pair together, no held-out question in training text.
        var texts = d.TrainingTexts().ToList();
        foreach (var f in d.FactsIn(FactGroup.NeverTrained))
            Assert.DoesNotContain(texts, t => Mentions(t, f.Subject) && Mentions(t, f.Object));
        var joined = string.Join("\n", texts);
        foreach (var m in d.McqHeldIn.Concat(d.McqNever)) Assert.DoesNotContain(m.Question, joined, StringComparison.OrdinalIgnoreCase);
        foreach (var stem in d.Facts.Relations.SelectMany(r => r.HeldOutStems))
            Assert.DoesNotContain(stem.Split('{')[0].Trim(), joined, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DeliberatelyLeakedTrainingTextIsCaught()
    {
        var d = Seed7.Value;
        var checker = d.CreateLeakageChecker();
        var never = d.FactsIn(FactGroup.NeverTrained)[0];
        var relation = d.Facts.Relation(never.RelationId);
        var pairLeak = TemplateText.Render(relation.CorpusTemplates[0], never.Subject, never.Object);
        var leaks = checker.Find(d.TrainingTexts().Append(pairLeak));
        Assert.Contains(leaks, l => l.Contains(never.Id));

        var question = d.McqHeldIn[0].Question;
        leaks = checker.Find(d.TrainingTexts().Append("Practice: " + question + "\nanswer"));
        Assert.Contains(leaks, l => l.StartsWith("evaluation question"));
        Assert.Contains(leaks, l => l.StartsWith("held-out template text"));

        // The same template with another subject is still caught through its literal text.
        leaks = checker.Find([TemplateText.Render(relation.HeldOutStems[0], "some new subject", "")]);
        Assert.Contains(leaks, l => l.StartsWith("held-out template text"));
    }

    [Fact]
    public void DistractorsAreOtherObjectsOfTheSameRelationAndNeverCorrect()
    {
        var d = Seed7.Value;
        var byId = d.Facts.Facts.ToDictionary(f => f.Id);
        foreach (var m in d.McqHeldIn.Concat(d.McqNever).Concat(d.McqPretrain).Concat(d.McqPractice))
        {
            var fact = byId[m.FactId];
            Assert.Equal(4, m.Choices.Count);
            Assert.Equal(4, m.Choices.Select(c => c.ToLowerInvariant()).Distinct().Count());
            Assert.Equal(fact.Object, m.Choices[m.Answer]);
            Assert.Equal(fact.RelationId, m.RelationId);
            var relationObjects = d.Facts.Facts.Where(f => f.RelationId == fact.RelationId).Select(f => f.Object).ToHashSet();
            var correctForSubject = d.Facts.Facts
                .Where(f => f.RelationId == fact.RelationId && string.Equals(f.Subject, fact.Subject, StringComparison.OrdinalIgnoreCase))
                .Select(f => f.Object.ToLowerInvariant()).ToHashSet();
            for (var i = 0; i < 4; i++)
            {
                Assert.Contains(m.Choices[i], relationObjects);
                if (i != m.Answer) Assert.DoesNotContain(m.Choices[i].ToLowerInvariant(), correctForSubject);
            }
        }
    }

    [Fact]
    public void PracticeItemsShowNoNeverTrainedObjects()
    {
        var d = Seed7.Value;
        var trainedObjects = d.Facts.Facts.Where(f => d.Split.GroupOf(f) != FactGroup.NeverTrained)
            .Select(f => (f.RelationId, f.Object)).ToHashSet();
        Assert.NotEmpty(d.McqPractice);
        Assert.All(d.McqPractice, m => Assert.All(m.Choices, c => Assert.Contains((m.RelationId, c), trainedObjects)));
    }

    [Fact]
    public void AnswerPositionsAreBalanced()
    {
        var d = Seed7.Value;
        foreach (var (name, items) in new[] { ("heldin", d.McqHeldIn), ("practice", d.McqPractice), ("all eval", d.McqHeldIn.Concat(d.McqNever).Concat(d.McqPretrain).ToList()) })
        {
            Assert.True(items.Count >= 100, $"{name}: {items.Count} items");
            for (var letter = 0; letter < 4; letter++)
            {
                var share = items.Count(m => m.Answer == letter) / (double)items.Count;
                Assert.InRange(share, 0.15, 0.35);
            }
        }
    }

    [Fact]
    public void NeverTrainedItemsGiveAFamiliarityHeuristicNoEdge()
    {
        // Pick the option mentioned in the most training texts (ties: lowest index). If distractors did not
        // match the answer's familiarity, this would beat chance on facts the model never saw.
        var d = Seed7.Value;
        var texts = d.TrainingTexts().ToList();
        var items = d.McqNever;
        var correct = items.Count(m =>
        {
            var counts = m.Choices.Select(c => texts.Count(t => Mentions(t, c))).ToList();
            return counts.IndexOf(counts.Max()) == m.Answer;
        });
        var n = items.Count;
        var stderr = Math.Sqrt(0.25 * 0.75 / n);
        // Tolerance: chance (25%) plus two binomial standard errors, which a heuristic with no signal exceeds by luck
        // only ~2% of the time; distractors less familiar than the answers would push it well above.
        Assert.True(correct / (double)n <= 0.25 + 2 * stderr, $"heuristic got {correct}/{n} never-trained items");
    }

    [Fact]
    public void WrittenFilesHaveTheReadersFieldsAndTheManifestCounts()
    {
        using var tmp = new TempDir();
        var d = Seed7.Value;
        d.WriteTo(tmp.Path);
        d.WriteTo(tmp.Path); // rewriting over an existing set works
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));

        var instruct = File.ReadAllLines(tmp.File("instruct.jsonl"));
        Assert.Equal(d.Instruct.Count, instruct.Length);
        for (var i = 0; i < instruct.Length; i++)
        {
            using var doc = JsonDocument.Parse(instruct[i]);
            var r = d.Instruct[i];
            if (r.Kind == InstructRecord.ClozeKind)
                Assert.Equal(r.Instruction + " " + r.Output, Assert.Single(doc.RootElement.EnumerateObject(), p => p.Name == "text").Value.GetString());
            else if (r.Kind == InstructRecord.StatementKind)
                Assert.Equal(r.Instruction, Assert.Single(doc.RootElement.EnumerateObject(), p => p.Name == "text").Value.GetString());
            else
                Assert.Equal(["instruction", "input", "output"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        }
        var mcq = File.ReadAllLines(tmp.File("mcq_never.jsonl"));
        Assert.Equal(d.McqNever.Count, mcq.Length);
        for (var i = 0; i < mcq.Length; i++)
        {
            using var doc = JsonDocument.Parse(mcq[i]);
            var root = doc.RootElement;
            Assert.Equal(["question", "choices", "answer"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(d.McqNever[i].Question, root.GetProperty("question").GetString());
            Assert.Equal(d.McqNever[i].Choices, root.GetProperty("choices").EnumerateArray().Select(c => c.GetString()!));
            Assert.Equal(d.McqNever[i].Answer, root.GetProperty("answer").GetInt32());
        }
        using var manifest = JsonDocument.Parse(File.ReadAllText(tmp.File("manifest.json")));
        var counts = manifest.RootElement.GetProperty("counts");
        Assert.Equal(File.ReadAllLines(tmp.File("mcq_heldin.jsonl")).Length, counts.GetProperty("mcq_heldin").GetInt32());
        Assert.Equal(instruct.Length, counts.GetProperty("instruct_records").GetInt32());
        var corpus = File.ReadAllText(tmp.File("corpus.txt"));
        Assert.Equal(corpus.Length, counts.GetProperty("corpus_characters").GetInt32());
        Assert.Equal(corpus.TrimEnd('\n').Split("\n\n").Length, counts.GetProperty("corpus_paragraphs").GetInt32());
        Assert.Contains("Not medical advice", manifest.RootElement.GetProperty("notice").GetString());
        Assert.Equal(7, manifest.RootElement.GetProperty("seed").GetInt32());
        var options = manifest.RootElement.GetProperty("options");
        Assert.Equal(d.Options.StatementsPerFact, options.GetProperty("statements_per_fact").GetInt32());
        Assert.Equal(d.Options.GlossarySentencesPerTerm, options.GetProperty("glossary_sentences_per_term").GetInt32());
        Assert.Equal(d.Options.LayoutSentences, options.GetProperty("layout_sentences").GetInt32());
        Assert.Equal(d.Instruct.Count(r => r.Kind == InstructRecord.StatementKind), counts.GetProperty("instruct_statement").GetInt32());
    }

    [Fact]
    public void SmallAndTwoStemSettingsStayConsistent()
    {
        var quick = StudyDataset.Generate(3, new StudyDataOptions { CorpusSentencesPerFact = 1, FillerSentences = 0, PracticeMcqPerFact = 0, PracticeClozePerFact = 0, StatementsPerFact = 0, InstructPerFact = 1 });
        Assert.Empty(quick.FindLeaks());
        Assert.Empty(quick.McqPractice);
        Assert.Equal(quick.FactsIn(FactGroup.HeldIn).Count, quick.Instruct.Count);

        var two = StudyDataset.Generate(3, new StudyDataOptions { McqPerFact = 2 });
        Assert.Empty(two.FindLeaks());
        Assert.Equal(2 * two.FactsIn(FactGroup.NeverTrained).Count, two.McqNever.Count);
        // The two items of one fact use the two different held-out stems.
        Assert.All(two.McqNever.GroupBy(m => m.FactId), g => Assert.Equal(2, g.Select(m => m.Stem).Distinct().Count()));
    }

    [Fact]
    public void ClozePracticeRecordsAskATrainingStemAndAnswerWithTheObject()
    {
        var d = StudyDataset.Generate(5, new StudyDataOptions { PracticeClozePerFact = 2 });
        var cloze = d.Instruct.Where(r => r.Kind == InstructRecord.ClozeKind).ToList();
        Assert.Equal(2 * d.FactsIn(FactGroup.HeldIn).Count, cloze.Count);
        var facts = d.Facts.Facts.ToDictionary(f => f.Id);
        foreach (var r in cloze)
        {
            var fact = facts[r.FactId];
            Assert.Equal(FactGroup.HeldIn, d.Split.GroupOf(fact));
            Assert.Equal(fact.Object, r.Output);
            Assert.StartsWith("Question: ", r.Instruction);
            Assert.EndsWith("\nAnswer:", r.Instruction);
            // The question is one of the relation's practice (training) stems, never a held-out one.
            var question = r.Instruction["Question: ".Length..^"\nAnswer:".Length];
            var relation = d.Facts.Relation(fact.RelationId);
            Assert.Contains(relation.PracticeStems, st => TemplateText.Render(st, fact.Subject, fact.Object) == question);
            Assert.DoesNotContain(relation.HeldOutStems, st => TemplateText.Render(st, fact.Subject, fact.Object) == question);
        }
        // The two cloze records of a fact use different stems.
        Assert.All(cloze.GroupBy(r => r.FactId), g => Assert.Equal(2, g.Select(r => r.Instruction).Distinct().Count()));
        Assert.Empty(d.FindLeaks());
    }

    [Fact]
    public void StatementRecordsStateAHeldInFactInItsCorpusPhrasings()
    {
        var d = StudyDataset.Generate(5, new StudyDataOptions { StatementsPerFact = 3 });
        var statements = d.Instruct.Where(r => r.Kind == InstructRecord.StatementKind).ToList();
        Assert.Equal(3 * d.FactsIn(FactGroup.HeldIn).Count, statements.Count);
        var facts = d.Facts.Facts.ToDictionary(f => f.Id);
        foreach (var r in statements)
        {
            var fact = facts[r.FactId];
            Assert.Equal(FactGroup.HeldIn, d.Split.GroupOf(fact));
            Assert.True(Mentions(r.Instruction, fact.Subject) && Mentions(r.Instruction, fact.Object), r.Instruction);
            // A textbook sentence of the relation, rendered for this fact (never a question stem).
            Assert.Contains(d.Facts.Relation(fact.RelationId).CorpusTemplates, t => TemplateText.Render(t, fact.Subject, fact.Object) == r.Instruction);
        }
        // The three statements of a fact use three different phrasings (every relation has at least three).
        Assert.All(statements.GroupBy(r => r.FactId), g => Assert.Equal(3, g.Select(r => r.Instruction).Distinct().Count()));
        Assert.Empty(d.FindLeaks());
    }

    [Fact]
    public void CorpusNamesEveryHeldInTermAndHasFactFreeQuestionLayout()
    {
        var d = StudyDataset.Generate(5, new StudyDataOptions { HeldInCorpusFraction = 0, GlossarySentencesPerTerm = 1, LayoutSentences = 20 });
        // Held-in facts are not stated in this corpus, yet each subject and object occurs in it (alone).
        foreach (var f in d.FactsIn(FactGroup.HeldIn))
        {
            Assert.Contains(d.Corpus, p => Mentions(p, f.Subject));
            Assert.Contains(d.Corpus, p => Mentions(p, f.Object));
        }
        Assert.Equal(20, d.Corpus.Sum(p => Regex.Matches(p, @"Question: [^\n]*\?\nAnswer: ").Count));
        Assert.Empty(d.FindLeaks());

        var none = StudyDataset.Generate(5, new StudyDataOptions { GlossarySentencesPerTerm = 0, LayoutSentences = 0 });
        Assert.DoesNotContain(none.Corpus, p => p.Contains("Answer:"));
    }

    [Theory]
    [InlineData("GlossarySentencesPerTerm")]
    [InlineData("StatementsPerFact")]
    [InlineData("McqPerFact")]
    [InlineData("PracticeClozePerFact")]
    [InlineData("NeverTrainedFraction")]
    [InlineData("InstructPerFact")]
    public void BadOptionsFailNamingTheField(string field)
    {
        var options = field switch
        {
            "McqPerFact" => new StudyDataOptions { McqPerFact = 3 },
            "NeverTrainedFraction" => new StudyDataOptions { NeverTrainedFraction = 1.5 },
            "PracticeClozePerFact" => new StudyDataOptions { PracticeClozePerFact = -1 },
            "StatementsPerFact" => new StudyDataOptions { StatementsPerFact = -1 },
            "GlossarySentencesPerTerm" => new StudyDataOptions { GlossarySentencesPerTerm = -1 },
            _ => new StudyDataOptions { InstructPerFact = 0 },
        };
        var ex = Assert.Throws<Med42Exception>(() => StudyDataset.Generate(1, options));
        Assert.StartsWith($"study data options: {field}: ", ex.Message);
    }
}
