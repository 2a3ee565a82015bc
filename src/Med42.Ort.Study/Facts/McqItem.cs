// A USMLE-style four-option question generated from one fact, and the MedQA prompt layout
// (../shared/design/EVAL_PROTOCOL.md, medqa_4options) used for the practice records.
using System.Text;

namespace Med42.Ort.Study.Facts;

/// <summary>Split names of generated items: evaluation splits "heldin", "never", "pretrain"; training split "practice".</summary>
public static class McqSplit
{
    public const string HeldIn = "heldin", Never = "never", Pretrain = "pretrain", Practice = "practice";
}

/// <summary>One multiple-choice item: four choices, Answer is the 0-based index of the correct one.</summary>
public sealed record McqItem(
    string Id,
    string Split,
    string RelationId,
    string FactId,
    string Stem,
    string Question,
    IReadOnlyList<string> Choices,
    int Answer)
{
    public static readonly string[] Letters = ["A", "B", "C", "D"];

    public string AnswerLetter => Letters[Answer];

    /// <summary>The lm-evaluation-harness medqa_4options context: "Question: q\nA. a\nB. b\nC. c\nD. d\nAnswer:".</summary>
    public string MedQaPrompt()
    {
        var sb = new StringBuilder("Question: ").Append(Question);
        for (var i = 0; i < Choices.Count; i++) sb.Append('\n').Append(Letters[i]).Append(". ").Append(Choices[i]);
        return sb.Append("\nAnswer:").ToString();
    }
}

/// <summary>An Alpaca-style record (instruction, input, output); Kind is "qa", "cloze" (short-answer practice), "statement" or "mcq", FactId the fact it teaches.</summary>
public sealed record InstructRecord(string Instruction, string Input, string Output, string FactId, string Kind)
{
    /// <summary>Short-answer practice: written as a plain {"text"} record, Instruction + " " + Output.</summary>
    public const string ClozeKind = "cloze";
    /// <summary>A textbook statement of the fact: written as a plain {"text"} record, the Instruction alone.</summary>
    public const string StatementKind = "statement";

    /// <summary>The record's whole text, as the leakage checker sees it.</summary>
    public string Text => Instruction + "\n" + Input + "\n" + Output;
}
