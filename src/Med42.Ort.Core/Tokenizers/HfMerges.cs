// BPE merges derived from a SentencePiece vocabulary the way Hugging Face transformers'
// convert_slow_tokenizer.py (SentencePieceExtractor / generate_merges, used by LlamaConverter) does:
// every split of every piece into two in-vocabulary halves, each piece's splits ordered by the ids of
// (left, right), then all merges stably sorted by (score, len(left), len(right)) descending.
// Lengths and splits count code points, as Python's str does.
namespace Med42.Ort.Core.Tokenizers;

internal static class HfMerges
{
    public static List<(string Left, string Right)> FromPieces(IReadOnlyList<SentencePiece> pieces)
    {
        var vocab = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        for (var i = 0; i < pieces.Count; i++) vocab[pieces[i].Piece] = i; // Python dict: last id wins
        var merges = new List<(string L, string R, float Score, int LenL, int LenR, int Order)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var local = new List<(string L, string R, int IdL, int IdR)>();
        for (var i = 0; i < pieces.Count; i++)
        {
            var piece = pieces[i].Piece;
            if (!seen.Add(piece)) continue; // dict(vocab_scores) keeps one entry per piece
            var score = pieces[vocab[piece]].Score;
            local.Clear();
            for (var cut = 0; cut < piece.Length;)
            {
                cut += char.IsHighSurrogate(piece[cut]) && cut + 1 < piece.Length ? 2 : 1;
                if (cut >= piece.Length) break;
                var l = piece[..cut];
                var r = piece[cut..];
                if (vocab.TryGetValue(l, out var idL) && vocab.TryGetValue(r, out var idR)) local.Add((l, r, idL, idR));
            }
            local.Sort((a, b) => a.IdL != b.IdL ? a.IdL.CompareTo(b.IdL) : a.IdR.CompareTo(b.IdR));
            foreach (var m in local) merges.Add((m.L, m.R, score, CodePoints(m.L), CodePoints(m.R), merges.Count));
        }
        // Python's sorted(..., reverse=True) is stable: equal keys keep their original order.
        merges.Sort((a, b) =>
        {
            var c = b.Score.CompareTo(a.Score);
            if (c == 0) c = b.LenL.CompareTo(a.LenL);
            if (c == 0) c = b.LenR.CompareTo(a.LenR);
            return c != 0 ? c : a.Order.CompareTo(b.Order);
        });
        return merges.Select(m => (m.L, m.R)).ToList();
    }

    private static int CodePoints(string s)
    {
        var n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }
}
