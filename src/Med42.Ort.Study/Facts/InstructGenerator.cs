using Med42.Ort.Core.Randomness;
// The fine-tuning instruction set over the held-in facts: free-text questions and answers from the
// training templates, short-answer practice questions (training stems, the object as the answer), plus multiple-choice practice records in the MedQA prompt layout whose output
// is the answer letter (training stems only; distractors are trained objects only). The Med42 chat
// template is applied later by the training pipeline, not here.
namespace Med42.Ort.Study.Facts;

internal static class InstructGenerator
{
    public static (List<InstructRecord> Records, List<McqItem> Practice) Generate(
        FactBase facts, FactSplit split, StudyDataOptions options, McqGenerator mcq, LeakageChecker guard, SplitMix64 rng)
    {
        var records = new List<InstructRecord>();
        var practiceDrafts = new List<(Fact Fact, string Stem, List<string> Distractors)>();
        foreach (var fact in facts.Facts.Where(f => split.GroupOf(f) == FactGroup.HeldIn))
        {
            var relation = facts.Relation(fact.RelationId);
            var templates = relation.InstructTemplates.ToList();
            rng.Shuffle(templates);
            for (var k = 0; k < options.InstructPerFact; k++)
            {
                var t = templates[k % templates.Count];
                records.Add(new InstructRecord(TemplateText.Render(t.Instruction, fact.Subject, fact.Object), "",
                    TemplateText.Render(t.Output, fact.Subject, fact.Object), fact.Id, "qa"));
            }
            // Statements: the fact as plain textbook sentences (every corpus phrasing, the object first in some),
            // so the fact is stored as subject <-> object, not only as the answer to one question layout.
            var sentences = relation.CorpusTemplates.ToList();
            rng.Shuffle(sentences);
            for (var k = 0; k < options.StatementsPerFact; k++)
                records.Add(new InstructRecord(TemplateText.Render(sentences[k % sentences.Count], fact.Subject, fact.Object), "", "",
                    fact.Id, InstructRecord.StatementKind));
            var stems = relation.PracticeStems.ToList();
            rng.Shuffle(stems);
            // Short-answer practice: a training stem in the "Question: …\nAnswer:" layout, the object as the
            // reply, so the model learns to retrieve the object from a subject mentioned inside a question.
            for (var k = 0; k < options.PracticeClozePerFact; k++)
                records.Add(new InstructRecord($"Question: {TemplateText.Render(stems[k % stems.Count], fact.Subject, fact.Object)}\nAnswer:", "",
                    fact.Object, fact.Id, InstructRecord.ClozeKind));
            rng.Shuffle(stems);
            for (var k = 0; k < options.PracticeMcqPerFact; k++)
                practiceDrafts.Add((fact, stems[k % stems.Count], mcq.Distractors(fact, rng, trainedOnly: true)));
        }

        var positions = McqGenerator.BalancedPositions(practiceDrafts.Count, rng);
        var practice = new List<McqItem>();
        for (var i = 0; i < practiceDrafts.Count; i++)
        {
            var (fact, stem, distractors) = practiceDrafts[i];
            var item = new McqItem($"{McqSplit.Practice}-{i + 1:D4}", McqSplit.Practice, fact.RelationId, fact.Id, stem,
                TemplateText.Render(stem, fact.Subject, fact.Object), McqGenerator.Place(fact.Object, distractors, positions[i]), positions[i]);
            // Options are objects of trained facts only, so this cannot pair a never-trained subject with its
            // object unless the data itself overlaps; such an item is dropped rather than leaked.
            if (guard.CoMentionedFact(item.MedQaPrompt()) is not null) continue;
            practice.Add(item);
            records.Add(new InstructRecord(item.MedQaPrompt(), "", item.AnswerLetter, fact.Id, "mcq"));
        }
        rng.Shuffle(records);
        return (records, practice);
    }
}
