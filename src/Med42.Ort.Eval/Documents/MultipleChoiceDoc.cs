// One multiple-choice question after reading, before prompting: the harness's "doc" with
// doc_to_text already applied (Prompt), doc_to_choice (Choices) and doc_to_target (Gold).
namespace Med42.Ort.Eval.Documents;

/// <summary>A benchmark document.</summary>
/// <param name="Id">Stable id: the dataset's own id when it has one, else the 1-based line or row.</param>
/// <param name="Prompt">The question rendered by the task template (doc_to_text), without description or few-shot examples.</param>
/// <param name="Choices">doc_to_choice strings, without the leading target delimiter (" ").</param>
/// <param name="Gold">0-based index of the correct choice.</param>
/// <param name="Source">"file:line" where the document was read, for messages.</param>
/// <param name="Raw">Task-specific raw fields echoed into the samples output (e.g. subject_name, meta_info).</param>
public sealed record MultipleChoiceDoc(
    string Id,
    string Prompt,
    IReadOnlyList<string> Choices,
    int Gold,
    string Source,
    IReadOnlyDictionary<string, string> Raw);
