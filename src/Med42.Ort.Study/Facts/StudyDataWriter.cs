// Serialises a StudyDataset: plain-text corpus, Alpaca JSONL (read by Training's DatasetReader), the generic
// multiple-choice JSONL {question, choices, answer (0-based)} (read by Eval's GenericJsonlTask) and a manifest.
// Output is byte-deterministic: fixed field order, "\n" line ends, no timestamps.
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Study.Facts;

internal static class StudyDataWriter
{
    private static readonly JsonWriterOptions Line = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
    private static readonly JsonWriterOptions Pretty = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true, NewLine = "\n" };

    public const string Notice = "Teaching data for a miniature fine-tuning study, generated from a curated textbook fact base. Not medical advice.";

    public static void Write(StudyDataset data, string dir)
    {
        Directory.CreateDirectory(dir);
        var manifest = Path.Combine(dir, StudyDataset.ManifestFile);
        if (File.Exists(manifest)) File.Delete(manifest);

        WriteAtomic(dir, StudyDataset.CorpusFile, Encoding.UTF8.GetBytes(CorpusText(data)));
        WriteAtomic(dir, StudyDataset.InstructFile, JsonLines(data.Instruct, (w, r) =>
        {
            // Short-answer practice is plain text in the cloze layout the study's text/text_mi presentation
            // scores ("Question: …\nAnswer: <object>"); every other record is Alpaca, rendered in the Med42 template.
            if (r.Kind == InstructRecord.ClozeKind) { w.WriteString("text", r.Instruction + " " + r.Output); return; }
            if (r.Kind == InstructRecord.StatementKind) { w.WriteString("text", r.Instruction); return; }
            w.WriteString("instruction", r.Instruction);
            w.WriteString("input", r.Input);
            w.WriteString("output", r.Output);
        }));
        WriteAtomic(dir, StudyDataset.McqHeldInFile, JsonLines(data.McqHeldIn, WriteGeneric));
        WriteAtomic(dir, StudyDataset.McqNeverFile, JsonLines(data.McqNever, WriteGeneric));
        WriteAtomic(dir, StudyDataset.McqPretrainFile, JsonLines(data.McqPretrain, WriteGeneric));
        WriteAtomic(dir, StudyDataset.McqItemsFile, JsonLines(data.McqHeldIn.Concat(data.McqNever).Concat(data.McqPretrain).ToList(), (w, m) =>
        {
            w.WriteString("id", m.Id);
            w.WriteString("split", m.Split);
            w.WriteString("relation", m.RelationId);
            w.WriteString("fact_id", m.FactId);
            WriteGeneric(w, m);
        }));
        WriteAtomic(dir, StudyDataset.ManifestFile, Manifest(data));
    }

    /// <summary>Paragraphs separated by a blank line, ending with one newline.</summary>
    private static string CorpusText(StudyDataset data) => string.Join("\n\n", data.Corpus) + "\n";

    private static void WriteGeneric(Utf8JsonWriter w, McqItem m)
    {
        w.WriteString("question", m.Question);
        w.WriteStartArray("choices");
        foreach (var c in m.Choices) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteNumber("answer", m.Answer);
    }

    private static byte[] JsonLines<T>(IReadOnlyList<T> items, Action<Utf8JsonWriter, T> body)
    {
        using var ms = new MemoryStream();
        foreach (var item in items)
        {
            using (var w = new Utf8JsonWriter(ms, Line))
            {
                w.WriteStartObject();
                body(w, item);
                w.WriteEndObject();
            }
            ms.WriteByte((byte)'\n');
        }
        return ms.ToArray();
    }

    private static byte[] Manifest(StudyDataset data)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Pretty))
        {
            var o = data.Options;
            w.WriteStartObject();
            w.WriteString("format", "med42-study-data/1");
            w.WriteString("notice", Notice);
            w.WriteNumber("seed", data.Seed);
            w.WriteStartObject("fact_base");
            w.WriteString("file", Path.GetFileName(data.Facts.FileName));
            w.WriteString("sha256", data.Facts.Sha256);
            w.WriteNumber("relations", data.Facts.Relations.Count);
            w.WriteNumber("facts", data.Facts.Facts.Count);
            w.WriteEndObject();
            WriteOptions(w, o);
            w.WriteStartObject("groups");
            w.WriteNumber("held_in", data.FactsIn(FactGroup.HeldIn).Count);
            w.WriteNumber("held_in_in_corpus", data.FactsIn(FactGroup.HeldIn).Count(data.Split.InCorpus));
            w.WriteNumber("pretrain_only", data.FactsIn(FactGroup.PretrainOnly).Count);
            w.WriteNumber("never_trained", data.FactsIn(FactGroup.NeverTrained).Count);
            w.WriteEndObject();
            w.WriteStartObject("counts");
            w.WriteNumber("corpus_paragraphs", data.Corpus.Count);
            w.WriteNumber("corpus_characters", CorpusText(data).Length);
            w.WriteNumber("instruct_records", data.Instruct.Count);
            w.WriteNumber("instruct_qa", data.Instruct.Count(r => r.Kind == "qa"));
            w.WriteNumber("instruct_cloze_practice", data.Instruct.Count(r => r.Kind == InstructRecord.ClozeKind));
            w.WriteNumber("instruct_statement", data.Instruct.Count(r => r.Kind == InstructRecord.StatementKind));
            w.WriteNumber("instruct_mcq_practice", data.Instruct.Count(r => r.Kind == "mcq"));
            w.WriteNumber("mcq_heldin", data.McqHeldIn.Count);
            w.WriteNumber("mcq_never", data.McqNever.Count);
            w.WriteNumber("mcq_pretrain", data.McqPretrain.Count);
            w.WriteEndObject();
            WriteRelations(w, data);
            w.WriteStartObject("formats");
            w.WriteString(StudyDataset.InstructFile, "Alpaca {instruction, input, output}; kind mcq records use the medqa_4options prompt and answer with the letter; short-answer practice records are {text}: \"Question: <training stem>\\nAnswer: <object>\"");
            w.WriteString("mcq", "{question, choices[4], answer} with answer the 0-based index of the correct choice");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    private static void WriteAtomic(string dir, string name, byte[] bytes) => AtomicFile.WriteAllBytes(Path.Combine(dir, name), bytes);
    private static void WriteOptions(Utf8JsonWriter w, StudyDataOptions o)
    {
        w.WriteStartObject("options");
        w.WriteNumber("never_trained_fraction", o.NeverTrainedFraction);
        w.WriteNumber("pretrain_only_fraction", o.PretrainOnlyFraction);
        w.WriteNumber("held_in_corpus_fraction", o.HeldInCorpusFraction);
        w.WriteNumber("corpus_sentences_per_fact", o.CorpusSentencesPerFact);
        w.WriteNumber("filler_sentences", o.FillerSentences);
        w.WriteNumber("glossary_sentences_per_term", o.GlossarySentencesPerTerm);
        w.WriteNumber("layout_sentences", o.LayoutSentences);
        w.WriteNumber("min_paragraph_sentences", o.MinParagraphSentences);
        w.WriteNumber("max_paragraph_sentences", o.MaxParagraphSentences);
        w.WriteNumber("instruct_per_fact", o.InstructPerFact);
        w.WriteNumber("practice_cloze_per_fact", o.PracticeClozePerFact);
        w.WriteNumber("statements_per_fact", o.StatementsPerFact);
        w.WriteNumber("practice_mcq_per_fact", o.PracticeMcqPerFact);
        w.WriteNumber("mcq_per_fact", o.McqPerFact);
        w.WriteEndObject();
    }

    /// <summary>Per relation: its types and how many of its facts fall in each group.</summary>
    private static void WriteRelations(Utf8JsonWriter w, StudyDataset data)
    {
        w.WriteStartArray("relations");
        foreach (var r in data.Facts.Relations)
        {
            var facts = data.Facts.FactsOf(r.Id);
            w.WriteStartObject();
            w.WriteString("id", r.Id);
            w.WriteString("subject_type", r.SubjectType);
            w.WriteString("object_type", r.ObjectType);
            w.WriteNumber("facts", facts.Count);
            w.WriteNumber("held_in", facts.Count(f => data.Split.GroupOf(f) == FactGroup.HeldIn));
            w.WriteNumber("pretrain_only", facts.Count(f => data.Split.GroupOf(f) == FactGroup.PretrainOnly));
            w.WriteNumber("never_trained", facts.Count(f => data.Split.GroupOf(f) == FactGroup.NeverTrained));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

}
