// The checks every reader applies to a built document, so the bad-data messages are uniform:
// empty question, fewer than 2 choices, gold answer out of range.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Eval.Documents;

public static class DocValidator
{
    /// <summary>Returns null when valid, else the error to report (file:line: what).</summary>
    public static Med42Exception? Check(string file, int line, string? question, IReadOnlyList<string> choices, int gold)
    {
        if (string.IsNullOrWhiteSpace(question)) return Med42Exception.At(file, $"line {line}", "empty question");
        if (choices.Count < 2) return Med42Exception.At(file, $"line {line}", $"fewer than 2 choices ({choices.Count})");
        if (gold < 0 || gold >= choices.Count)
            return Med42Exception.At(file, $"line {line}", $"answer index {gold} out of range [0, {choices.Count - 1}]");
        return null;
    }
}
