// A relation of the fact base (e.g. drug -> drug class) with its natural-language templates.
// Template placeholders: {s} subject, {o} object; {S}/{O} the same with the first letter upper-cased.
namespace Med42.Ort.Study.Facts;

/// <summary>An instruction template (subject only) and its answer template (with the object).</summary>
public sealed record InstructTemplate(string Instruction, string Output);

/// <summary>
/// A relation and its templates. Corpus, Instruct and PracticeStems are training phrasings;
/// HeldOutStems are multiple-choice question stems that must never appear in any training text.
/// </summary>
public sealed record Relation(
    string Id,
    string SubjectType,
    string ObjectType,
    string Description,
    int Line,
    IReadOnlyList<string> CorpusTemplates,
    IReadOnlyList<InstructTemplate> InstructTemplates,
    IReadOnlyList<string> PracticeStems,
    IReadOnlyList<string> HeldOutStems);
