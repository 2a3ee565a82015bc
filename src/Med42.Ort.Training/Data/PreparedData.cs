// Reads, templates and tokenizes every data file, checks the tokenizer against the model vocabulary,
// applies the truncation policy and splits off validation documents (a seeded permutation).
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tokenizers;

namespace Med42.Ort.Training.Data;

public sealed record DataStats(int Records, int SkippedBadRecords, int Truncated, int TrainDocuments, int ValidationDocuments, IReadOnlyList<string> Warnings);

public sealed record PreparedData(IReadOnlyList<TokenizedDocument> Train, IReadOnlyList<TokenizedDocument> Validation, DataStats Stats)
{
    public static PreparedData Load(IReadOnlyList<string> paths, ITextTokenizer tokenizer, int modelVocab, DataOptions o)
    {
        if (tokenizer.VocabSize != modelVocab)
            throw new Med42Exception($"tokenizer: vocabulary size {tokenizer.VocabSize} does not match the model's vocab_size {modelVocab}");
        if (o.SeqLen < 2) throw new Med42Exception($"data: 'seq_len' must be at least 2, got {o.SeqLen}");
        var docs = new List<TokenizedDocument>();
        var warnings = new List<string>();
        int records = 0, skipped = 0, truncated = 0;
        foreach (var path in paths)
        {
            var read = DatasetReader.Read(path, o.SkipBadLines);
            records += read.Samples.Count;
            skipped += read.SkippedBadRecords;
            warnings.AddRange(read.Warnings);
            foreach (var s in read.Samples)
            {
                var doc = DocumentTokenizer.Tokenize(ChatTemplate.Render(s, o.Template, o.SystemPrompt), tokenizer, o.TrainOnPrompt, s.Position);
                if (doc.Length > o.SeqLen)
                {
                    if (o.Truncation == TruncationPolicy.Error)
                        throw new Med42Exception($"{s.Position}: sample has {doc.Length} tokens, longer than seq_len {o.SeqLen}");
                    truncated++;
                    doc = doc with { Ids = doc.Ids[..o.SeqLen], Trainable = doc.Trainable[..o.SeqLen] };
                }
                if (doc.TargetCount == 0)
                {
                    warnings.Add($"{s.Position}: no target tokens left (after truncation to {o.SeqLen}); skipped");
                    skipped++;
                    continue;
                }
                docs.Add(doc);
            }
        }
        if (docs.Count == 0)
            throw new Med42Exception($"{string.Join(", ", paths)}: dataset is empty (no usable records{(skipped > 0 ? $", {skipped} skipped" : "")})");
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1))
            throw new Med42Exception($"data: 'validation_fraction' must be in [0, 1), got {o.ValidationFraction}");
        var order = Shuffle.Permutation(docs.Count, o.Seed ^ 0x5EED_5EED_5EEDUL);
        var nVal = o.ValidationFraction > 0 ? Math.Clamp((int)Math.Ceiling(o.ValidationFraction * docs.Count), 1, docs.Count - 1) : 0;
        if (o.ValidationFraction > 0 && docs.Count < 2) throw new Med42Exception("data: a validation split needs at least 2 documents");
        var val = order.Take(nVal).Order().Select(i => docs[i]).ToList();
        var train = order.Skip(nVal).Order().Select(i => docs[i]).ToList();
        return new PreparedData(train, val, new DataStats(records, skipped, truncated, train.Count, val.Count, warnings));
    }
}

/// <summary>Seeded Fisher–Yates over SplitMix64 (never System.Random, whose sequence may change).</summary>
public static class Shuffle
{
    public static int[] Permutation(int n, ulong seed)
    {
        var p = Enumerable.Range(0, n).ToArray();
        var rng = new SplitMix64(seed);
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
