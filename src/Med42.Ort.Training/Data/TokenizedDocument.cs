// Turns template units into token ids with a trainable flag per token.
// Chunks are not encoded separately (SentencePiece would add a dummy-prefix space to each); the unit is
// encoded whole and each chunk boundary is placed at the longest common prefix of encode(text before it)
// and encode(whole text), so the ids are exactly what inference on the same text sees.
using Med42.Ort.Core.Tokenizers;

namespace Med42.Ort.Training.Data;

/// <summary>A document's ids; Trainable[i] says whether token i is a loss target (when it is predicted).</summary>
public sealed record TokenizedDocument(int[] Ids, bool[] Trainable, string Position)
{
    public int Length => Ids.Length;
    public int TargetCount => Trainable.Skip(1).Count(t => t);
}

public static class DocumentTokenizer
{
    /// <param name="trainOnPrompt">Every token is a target (not only assistant text).</param>
    public static TokenizedDocument Tokenize(IReadOnlyList<TemplateUnit> units, ITextTokenizer tok, bool trainOnPrompt, string position)
    {
        var ids = new List<int>();
        var flags = new List<bool>();
        foreach (var unit in units)
        {
            var full = string.Concat(unit.Chunks.Select(c => c.Text));
            var encoded = tok.Encode(full, addBos: true);
            var starts = new int[unit.Chunks.Count + 1];
            var textPos = 0;
            for (var k = 1; k < unit.Chunks.Count; k++)
            {
                textPos += unit.Chunks[k - 1].Text.Length;
                starts[k] = Math.Max(starts[k - 1], CommonPrefix(tok.Encode(full[..textPos], addBos: true), encoded));
            }
            starts[^1] = encoded.Count;
            for (var k = 0; k < unit.Chunks.Count; k++)
                for (var j = starts[k]; j < starts[k + 1]; j++)
                {
                    ids.Add(encoded[j]);
                    flags.Add(trainOnPrompt || (unit.Chunks[k].Trainable && j > 0));
                }
            ids.Add(tok.EosId);
            flags.Add(true);
        }
        return new TokenizedDocument([.. ids], [.. flags], position);
    }

    private static int CommonPrefix(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var n = Math.Min(a.Count, b.Count);
        var i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
