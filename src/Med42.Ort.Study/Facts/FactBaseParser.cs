// Strict reader of the fact-base TSV (format documented at the top of Data/medical_facts.tsv).
// Every error is a Med42Exception "file: line N: what", so a broken edit points at its line.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Study.Facts;

internal static class FactBaseParser
{
    /// <summary>Held-out stems must keep a literal run of this many words, so the leakage check has something to look for.</summary>
    internal const int MinFragmentWords = 4;
    internal const int MinDistinctObjects = 4;

    private sealed class RelationBuilder(string id, string subjectType, string objectType, string description, int line)
    {
        public readonly string Id = id, SubjectType = subjectType, ObjectType = objectType, Description = description;
        public readonly int Line = line;
        public readonly List<string> Corpus = [], Practice = [], HeldOut = [];
        public readonly List<InstructTemplate> Instruct = [];
        public int FactCount;
    }

    public static (List<Relation> Relations, List<Fact> Facts) Parse(string text, string file)
    {
        var builders = new Dictionary<string, RelationBuilder>(StringComparer.Ordinal);
        var order = new List<RelationBuilder>();
        var facts = new List<Fact>();
        var seen = new Dictionary<(string, string, string), int>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#')) continue;
            Med42Exception Error(string message) => Med42Exception.At(file, $"line {lineNo}", message);
            var fields = line.Split('\t');
            for (var f = 0; f < fields.Length; f++)
            {
                if (fields[f].Trim().Length == 0) throw Error($"field {f + 1} is empty");
                if (fields[f] != fields[f].Trim()) throw Error($"field {f + 1} has leading or trailing whitespace");
            }
            RelationBuilder Known(string id) =>
                builders.TryGetValue(id, out var b) ? b : throw Error($"unknown relation '{id}' (declare it with a 'relation' line first)");
            switch (fields[0])
            {
                case "relation":
                    if (fields.Length != 5) throw Error($"a relation line has 5 fields (relation, id, subject type, object type, description), found {fields.Length}");
                    if (builders.ContainsKey(fields[1])) throw Error($"duplicate relation '{fields[1]}' (first declared on line {builders[fields[1]].Line})");
                    var rb = new RelationBuilder(fields[1], fields[2], fields[3], fields[4], lineNo);
                    builders.Add(rb.Id, rb);
                    order.Add(rb);
                    break;
                case "template":
                    AddTemplate(fields, Known, Error);
                    break;
                case "fact":
                    if (fields.Length != 4) throw Error($"a fact line has 4 fields (fact, relation, subject, object), found {fields.Length}");
                    var relation = Known(fields[1]);
                    var key = (relation.Id, fields[2].ToLowerInvariant(), fields[3].ToLowerInvariant());
                    if (seen.TryGetValue(key, out var firstLine)) throw Error($"duplicate fact '{fields[2]}' -> '{fields[3]}' in relation '{relation.Id}' (first on line {firstLine})");
                    seen.Add(key, lineNo);
                    relation.FactCount++;
                    facts.Add(new Fact($"{relation.Id}-{relation.FactCount:D3}", relation.Id, fields[2], fields[3], lineNo));
                    break;
                default:
                    throw Error($"unknown record kind '{fields[0]}' (expected relation, template or fact)");
            }
        }
        if (order.Count == 0) throw Med42Exception.At(file, "line 1", "no relations declared");
        var relations = order.Select(b => Finish(b, facts, file)).ToList();
        return (relations, facts);
    }

    private static void AddTemplate(string[] fields, Func<string, RelationBuilder> known, Func<string, Med42Exception> error)
    {
        if (fields.Length < 4) throw error($"a template line has at least 4 fields (template, relation, kind, text), found {fields.Length}");
        var relation = known(fields[1]);
        var kind = fields[2];
        var text = fields[3];
        if (TemplateText.HasUnknownPlaceholder(text)) throw error("template has a placeholder other than {s} {S} {o} {O}");
        var expectedFields = kind == "instruct" ? 5 : 4;
        if (fields.Length != expectedFields) throw error($"a '{kind}' template line has {expectedFields} fields, found {fields.Length}");
        switch (kind)
        {
            case "corpus":
                if (!TemplateText.HasSubject(text) || !TemplateText.HasObject(text)) throw error("a corpus template needs both {s} and {o}");
                relation.Corpus.Add(text);
                break;
            case "instruct":
                if (!TemplateText.HasSubject(fields[3]) || TemplateText.HasObject(fields[3])) throw error("an instruction template needs {s} and must not contain {o}");
                if (!TemplateText.HasObject(fields[4])) throw error("an instruction answer template needs {o}");
                if (TemplateText.HasUnknownPlaceholder(fields[4])) throw error("answer template has a placeholder other than {s} {S} {o} {O}");
                relation.Instruct.Add(new InstructTemplate(fields[3], fields[4]));
                break;
            case "practice":
            case "heldout":
                if (!TemplateText.HasSubject(text) || TemplateText.HasObject(text)) throw error($"a {kind} question stem needs {{s}} and must not contain {{o}}");
                if (kind == "practice") { relation.Practice.Add(text); break; }
                if (TemplateText.LiteralFragments(text, MinFragmentWords).Count == 0)
                    throw error($"a held-out stem needs a literal run of at least {MinFragmentWords} words so leakage can be checked");
                relation.HeldOut.Add(text);
                break;
            default:
                throw error($"unknown template kind '{kind}' (expected corpus, instruct, practice or heldout)");
        }
    }

    private static Relation Finish(RelationBuilder b, List<Fact> facts, string file)
    {
        Med42Exception Error(string message) => Med42Exception.At(file, $"line {b.Line}", $"relation '{b.Id}': {message}");
        if (b.Corpus.Count == 0) throw Error("no corpus templates");
        if (b.Instruct.Count == 0) throw Error("no instruct templates");
        if (b.Practice.Count == 0) throw Error("no practice templates");
        if (b.HeldOut.Count == 0) throw Error("no heldout templates");
        var training = b.Corpus.Concat(b.Practice).Concat(b.Instruct.SelectMany(t => new[] { t.Instruction, t.Output }))
            .Select(TemplateText.Normalize).ToList();
        foreach (var stem in b.HeldOut)
            foreach (var fragment in TemplateText.LiteralFragments(stem, MinFragmentWords))
                if (training.Any(t => t.Contains(fragment, StringComparison.Ordinal)))
                    throw Error($"held-out stem fragment '{fragment}' also occurs in a training template");
        var objects = facts.Where(f => f.RelationId == b.Id).Select(f => f.Object.ToLowerInvariant()).Distinct().Count();
        if (objects < MinDistinctObjects) throw Error($"has {objects} distinct objects; multiple-choice distractors need at least {MinDistinctObjects}");
        return new Relation(b.Id, b.SubjectType, b.ObjectType, b.Description, b.Line, b.Corpus, b.Instruct, b.Practice, b.HeldOut);
    }
}
