// Random tokenized documents for training-graph tests: 4–11 tokens, BOS first, ids in [3, 203), loss on every
// token after BOS. Seeded (SplitMix64), so a test's data never changes between runs.
using Med42.Ort.Core.Randomness;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Training.Data;

namespace Med42.Ort.Training.Tests;

internal static class RandomDocuments
{
    public static List<TokenizedDocument> Make(int n, ulong seed)
    {
        var rng = new SplitMix64(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            var len = 4 + (int)(rng.NextUInt64() % 8);
            var ids = Enumerable.Range(0, len).Select(_ => 3 + (int)(rng.NextUInt64() % 200)).ToArray();
            ids[0] = 1;
            return new TokenizedDocument(ids, ids.Select((_, j) => j > 0).ToArray(), $"doc{i}");
        }).ToList();
    }
}
