using Med42.Ort.Core.Randomness;
// The "textbook" pretraining corpus: several phrasings of every corpus fact (pretrain-only facts and
// part of the held-in ones) mixed with generic, fact-free filler so a tiny model learns plain English,
// glossary lines naming each held-in subject and object alone, and fact-free "Question: …\nAnswer: …" pairs.
// Sentences are shuffled and packed into paragraphs; a sentence that would put a never-trained fact's
// subject and object into one paragraph starts a new paragraph instead.
namespace Med42.Ort.Study.Facts;

internal static class CorpusGenerator
{
    // Filler vocabulary: everyday clinic and study life with no disease, drug or organ names.
    private static readonly string[] Actors =
        ["The nurse", "The student", "A resident", "The pharmacist", "The team", "The teacher", "The librarian", "A visitor", "The doctor", "The secretary"];
    private static readonly string[] Actions =
        ["reviewed the notes", "wrote a short summary", "checked the schedule", "read the chapter again", "prepared the room",
         "answered the phone", "ordered new supplies", "signed the form", "opened the window", "cleaned the desk",
         "explained the plan", "asked a careful question", "finished the report", "updated the list"];
    private static readonly string[] Times =
        ["in the morning", "after lunch", "before the meeting", "at the end of the day", "on Monday", "during the break", "late in the evening", "before the exam"];
    private static readonly string[] Generic =
        ["A good textbook explains each idea in simple words.",
         "Careful reading helps students remember what they learn.",
         "Every chapter ends with a short list of key points.",
         "Clear notes make it easier to review before an exam.",
         "A teacher often repeats an important idea in several ways.",
         "Students learn best when they practice a little every day."];
    // Glossary sentences name one term alone (never a fact): every piece the fine-tuning set uses then has a
    // pretrained embedding, which LoRA (embeddings frozen) cannot learn itself.
    private static readonly string[] Glossary =
        ["The glossary lists {s}.", "{S} is a term from the textbook.", "The next chapter mentions {s}.", "The students looked up {s}."];

    public static List<string> Generate(FactBase facts, FactSplit split, StudyDataOptions options, LeakageChecker guard, SplitMix64 rng)
    {
        var sentences = new List<string>();
        foreach (var fact in facts.Facts.Where(split.InCorpus))
        {
            var templates = facts.Relation(fact.RelationId).CorpusTemplates.ToList();
            rng.Shuffle(templates);
            for (var k = 0; k < options.CorpusSentencesPerFact; k++)
                sentences.Add(TemplateText.Render(templates[k % templates.Count], fact.Subject, fact.Object));
        }
        var terms = facts.Facts.Where(f => split.GroupOf(f) == FactGroup.HeldIn).SelectMany(f => new[] { f.Subject, f.Object })
            .Distinct(StringComparer.Ordinal).ToList();
        for (var k = 0; k < options.GlossarySentencesPerTerm; k++)
            foreach (var term in terms) sentences.Add(TemplateText.Render(Glossary[rng.NextInt(Glossary.Length)], term, term));
        // Fact-free questions in the "Question: …\nAnswer: …" layout, so the layout is familiar before fine-tuning.
        for (var k = 0; k < options.LayoutSentences; k++)
        {
            var actor = Actors[rng.NextInt(Actors.Length)];
            sentences.Add($"Question: What did {actor.ToLowerInvariant()} do {Times[rng.NextInt(Times.Length)]}?\nAnswer: {Actions[rng.NextInt(Actions.Length)]}");
        }
        for (var k = 0; k < options.FillerSentences; k++)
            sentences.Add(rng.NextInt(4) == 0
                ? Generic[rng.NextInt(Generic.Length)]
                : $"{Actors[rng.NextInt(Actors.Length)]} {Actions[rng.NextInt(Actions.Length)]} {Times[rng.NextInt(Times.Length)]}.");
        rng.Shuffle(sentences);

        var paragraphs = new List<string>();
        var current = new List<string>();
        var target = rng.NextInt(options.MinParagraphSentences, options.MaxParagraphSentences);
        void Flush()
        {
            if (current.Count == 0) return;
            paragraphs.Add(string.Join(" ", current));
            current.Clear();
            target = rng.NextInt(options.MinParagraphSentences, options.MaxParagraphSentences);
        }
        foreach (var sentence in sentences)
        {
            if (current.Count > 0 && guard.CoMentionedFact(string.Join(" ", current) + " " + sentence) is not null) Flush();
            current.Add(sentence);
            if (current.Count >= target) Flush();
        }
        Flush();
        return paragraphs;
    }
}
