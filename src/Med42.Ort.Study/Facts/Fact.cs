// One fact of the study's fact base: subject —relation→ object, with the data-file line it came from
// (so validation and reports can point back at Data/medical_facts.tsv).
namespace Med42.Ort.Study.Facts;

/// <summary>A (subject, relation, object) triple. Id is "relation-NNN", 1-based within the relation.</summary>
public sealed record Fact(string Id, string RelationId, string Subject, string Object, int Line);

/// <summary>Which training texts a fact may appear in; the three groups are disjoint.</summary>
public enum FactGroup
{
    /// <summary>Fine-tuned on (instruction set); some of them also appear in the textbook corpus.</summary>
    HeldIn,
    /// <summary>Only in the textbook corpus (pretraining), never in the instruction set.</summary>
    PretrainOnly,
    /// <summary>In no training text at all: multiple-choice items over them must stay near chance.</summary>
    NeverTrained,
}
