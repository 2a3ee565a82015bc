// Trains a small SentencePiece-style BPE tokenizer: "▁" for spaces with a dummy prefix, byte-fallback
// pieces <0x00>..<0xFF> at ids 3..258, <unk>=0 <s>=1 </s>=2, then learned merges (most frequent
// adjacent pair first; ties broken by the ordinal order of (left, right) so training is deterministic),
// then the kept characters. The result is a SentencePieceModel that HfTokenizerJson.Write saves as
// tokenizer.json. Layout follows SentencePiece's BPE trainer (bpe_model_trainer.cc) and llama2.c's tok512.
// Test: tests/Med42.Ort.Core.Tests/Tokenizers/BpeTrainerTests.cs.
namespace Med42.Ort.Core.Tokenizers;

public sealed record BpeTrainerOptions
{
    /// <summary>Total vocabulary: 259 reserved pieces + merges + characters.</summary>
    public int VocabSize { get; init; } = 1024;
    /// <summary>Share of character occurrences the kept characters must cover; rarer ones use byte fallback (SentencePiece's character_coverage).</summary>
    public double CharacterCoverage { get; init; } = 0.9995;
    /// <summary>Longest piece in code points (SentencePiece's max_sentencepiece_length).</summary>
    public int MaxPieceLength { get; init; } = 16;
}

public static class BpeTrainer
{
    private const int Reserved = 259;
    private const string Space = SentencePieceModel.SpaceMarker;

    // One algorithm (count pairs, merge the best, update counts incrementally) whose loop state is shared by every
    // step; kept whole so it reads like SentencePiece's BPE trainer it follows.
    public static SentencePieceModel Train(IEnumerable<string> corpus, BpeTrainerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BpeTrainerOptions();
        if (options.VocabSize < Reserved + 1) throw new ArgumentException($"VocabSize must exceed the {Reserved} reserved pieces", nameof(options));
        var wordCounts = CountWords(corpus);

        // Characters by frequency (ordinal order on ties), kept until the coverage target is reached.
        var charCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in wordCounts)
            foreach (var rune in word.EnumerateRunes())
                charCounts[rune.ToString()] = charCounts.GetValueOrDefault(rune.ToString()) + count;
        var total = charCounts.Values.Sum();
        var chars = new List<string>();
        long covered = 0;
        foreach (var (c, n) in charCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (chars.Count >= options.VocabSize - Reserved || (total > 0 && covered >= options.CharacterCoverage * total && c != Space)) continue;
            chars.Add(c);
            covered += n;
        }

        // Symbols: index into `pieces`; -1 marks an uncovered character (byte fallback, never merged).
        var pieces = new List<string>(chars);
        var pieceIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < pieces.Count; i++) pieceIndex[pieces[i]] = i;
        var reserved = new HashSet<string>(StringComparer.Ordinal) { "<unk>", "<s>", "</s>" };
        for (var b = 0; b < 256; b++) reserved.Add($"<0x{b:X2}>");
        var lengths = pieces.Select(_ => 1).ToList();

        var words = new List<int[]>();
        var freqs = new List<long>();
        foreach (var (word, count) in wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            words.Add(word.EnumerateRunes().Select(r => pieceIndex.TryGetValue(r.ToString(), out var id) ? id : -1).ToArray());
            freqs.Add(count);
        }

        var pairCounts = new Dictionary<(int, int), long>();
        var pairWords = new Dictionary<(int, int), HashSet<int>>();
        for (var w = 0; w < words.Count; w++) AddPairs(words[w], freqs[w], w, +1, pairCounts, pairWords);

        var merged = new List<int>(); // piece indexes created by merges, in learning order
        var banned = new HashSet<(int, int)>();
        var budget = options.VocabSize - Reserved - chars.Count;
        while (merged.Count < budget)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (int, int)? best = null;
            long bestCount = 2; // a pair seen once compresses nothing: stop there
            foreach (var (pair, count) in pairCounts)
            {
                if (count < bestCount || banned.Contains(pair)) continue;
                if (count > bestCount || best is null || ComparePair(pair, best.Value, pieces) < 0) { best = pair; bestCount = count; }
            }
            if (best is null) break;
            var (l, r) = best.Value;
            var text = pieces[l] + pieces[r];
            if (reserved.Contains(text) || lengths[l] + lengths[r] > options.MaxPieceLength) { banned.Add(best.Value); continue; }
            // Another split may already have produced this string: reuse its symbol rather than duplicate the piece.
            if (!pieceIndex.TryGetValue(text, out var id))
            {
                id = pieces.Count;
                pieces.Add(text);
                lengths.Add(lengths[l] + lengths[r]);
                pieceIndex[text] = id;
                merged.Add(id);
            }
            foreach (var w in pairWords[best.Value].ToArray())
            {
                AddPairs(words[w], freqs[w], w, -1, pairCounts, pairWords);
                words[w] = ApplyMerge(words[w], l, r, id);
                AddPairs(words[w], freqs[w], w, +1, pairCounts, pairWords);
            }
        }

        var result = new List<SentencePiece>(Reserved + merged.Count + chars.Count)
        {
            new("<unk>", 0, PieceType.Unknown),
            new("<s>", 0, PieceType.Control),
            new("</s>", 0, PieceType.Control),
        };
        for (var b = 0; b < 256; b++) result.Add(new SentencePiece($"<0x{b:X2}>", 0, PieceType.Byte));
        // Scores as SentencePiece writes them: 0, -1, -2 … in merge order, characters after all merges.
        var score = 0f;
        foreach (var id in merged) result.Add(new SentencePiece(pieces[id], score--, PieceType.Normal));
        foreach (var c in chars) result.Add(new SentencePiece(c, score--, PieceType.Normal));
        return new SentencePieceModel
        {
            Pieces = result,
            ModelType = SentencePieceModelType.Bpe,
            ByteFallback = true,
            AddDummyPrefix = true,
            RemoveExtraWhitespaces = false,
            NormalizerName = "identity",
            UnkId = 0,
            BosId = 1,
            EosId = 2,
        };
    }

    /// <summary>Words as SentencePiece's whitespace splitting sees them: "▁" + text with spaces as "▁", cut before each "▁"; other whitespace stands alone.</summary>
    private static Dictionary<string, long> CountWords(IEnumerable<string> corpus)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var sb = new System.Text.StringBuilder();
        void Flush()
        {
            if (sb.Length == 0) return;
            var w = sb.ToString();
            counts[w] = counts.GetValueOrDefault(w) + 1;
            sb.Clear();
        }
        foreach (var text in corpus)
        {
            if (string.IsNullOrEmpty(text)) continue;
            var normalized = Space + text.Replace(" ", Space, StringComparison.Ordinal);
            foreach (var rune in normalized.EnumerateRunes())
            {
                var s = rune.ToString();
                if (s == Space) Flush();
                else if (System.Text.Rune.IsWhiteSpace(rune)) { Flush(); sb.Append(s); Flush(); continue; }
                sb.Append(s);
            }
            Flush();
        }
        return counts;
    }

    private static int ComparePair((int L, int R) a, (int L, int R) b, List<string> pieces)
    {
        var c = string.CompareOrdinal(pieces[a.L], pieces[b.L]);
        return c != 0 ? c : string.CompareOrdinal(pieces[a.R], pieces[b.R]);
    }

    private static void AddPairs(int[] word, long freq, int w, int sign, Dictionary<(int, int), long> counts, Dictionary<(int, int), HashSet<int>> index)
    {
        for (var i = 0; i + 1 < word.Length; i++)
        {
            if (word[i] < 0 || word[i + 1] < 0) continue;
            var pair = (word[i], word[i + 1]);
            var n = counts.GetValueOrDefault(pair) + sign * freq;
            if (n == 0) counts.Remove(pair); else counts[pair] = n;
            if (sign > 0)
            {
                if (!index.TryGetValue(pair, out var set)) index[pair] = set = [];
                set.Add(w);
            }
        }
    }

    private static int[] ApplyMerge(int[] word, int l, int r, int id)
    {
        var output = new List<int>(word.Length);
        for (var i = 0; i < word.Length; i++)
        {
            if (i + 1 < word.Length && word[i] == l && word[i + 1] == r) { output.Add(id); i++; }
            else output.Add(word[i]);
        }
        return output.ToArray();
    }
}
