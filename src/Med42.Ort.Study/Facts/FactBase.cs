// The study's curated medical fact base (teaching data for a miniature study, not medical advice):
// loaded from the embedded Data/medical_facts.tsv or any file in the same format, strictly validated.
using System.Security.Cryptography;
using System.Text;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Study.Facts;

public sealed class FactBase
{
    public const string EmbeddedFileName = "medical_facts.tsv";
    private const string ResourceName = "Med42.Ort.Study.Data.medical_facts.tsv";

    private readonly Dictionary<string, Relation> _relations;
    private readonly Dictionary<string, List<Fact>> _byRelation;
    private readonly Dictionary<(string Relation, string Subject), HashSet<string>> _correct;

    private FactBase(string fileName, string text, List<Relation> relations, List<Fact> facts)
    {
        FileName = fileName;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        Relations = relations;
        Facts = facts;
        _relations = relations.ToDictionary(r => r.Id, StringComparer.Ordinal);
        _byRelation = relations.ToDictionary(r => r.Id, r => facts.Where(f => f.RelationId == r.Id).ToList(), StringComparer.Ordinal);
        _correct = facts.GroupBy(f => (f.RelationId, f.Subject.ToLowerInvariant()))
            .ToDictionary(g => g.Key, g => g.Select(f => f.Object.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The file name used in error messages and the manifest.</summary>
    public string FileName { get; }
    /// <summary>SHA-256 (lower-case hex) of the file's text, recorded in the manifest.</summary>
    public string Sha256 { get; }
    public IReadOnlyList<Relation> Relations { get; }
    public IReadOnlyList<Fact> Facts { get; }

    /// <summary>The fact base shipped inside this assembly.</summary>
    public static FactBase LoadEmbedded()
    {
        using var stream = typeof(FactBase).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd(), EmbeddedFileName);
    }

    public static FactBase Load(string path)
    {
        if (!File.Exists(path)) throw Med42Exception.At(path, "file", "fact base file not found");
        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>Parses and validates fact-base text; errors name fileName and the line.</summary>
    public static FactBase Parse(string text, string fileName)
    {
        var (relations, facts) = FactBaseParser.Parse(text, fileName);
        return new FactBase(fileName, text, relations, facts);
    }

    public Relation Relation(string id) =>
        _relations.TryGetValue(id, out var r) ? r : throw new KeyNotFoundException($"no relation '{id}' in {FileName}");

    public IReadOnlyList<Fact> FactsOf(string relationId) => _byRelation[relationId];

    /// <summary>Distinct objects of a relation (case-insensitive), in order of first appearance.</summary>
    public IReadOnlyList<string> ObjectsOf(string relationId) =>
        _byRelation[relationId].Select(f => f.Object).DistinctBy(o => o.ToLowerInvariant()).ToList();

    /// <summary>Whether obj is a correct object for (relation, subject) anywhere in the base (case-insensitive).</summary>
    public bool IsCorrect(string relationId, string subject, string obj) =>
        _correct.TryGetValue((relationId, subject.ToLowerInvariant()), out var set) && set.Contains(obj.ToLowerInvariant());
}
