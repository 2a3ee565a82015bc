// Yields micro-batches of packed rows, epoch after epoch. Epoch e's document order is a seeded
// permutation of (seed, e), so the loader's whole state is (epoch, row index): saving and restoring
// it resumes at exactly the same next batch. The last batch of an epoch is padded with empty rows
// (all labels −100), which add nothing to the summed loss.
namespace Med42.Ort.Training.Data;

public sealed record LoaderState(int Epoch, int Row);

public sealed record Batch(int Rows, int SeqLen, long[] InputIds, long[] Labels, long[] SegmentIds, long[] PositionIds)
{
    public int TargetCount => Labels.Count(l => l != Packer.IgnoreIndex);
    public int RealTokens => SegmentIds.Count(s => s != 0);
}

public sealed class DataLoader
{
    private readonly IReadOnlyList<TokenizedDocument> _docs;
    private readonly int _seqLen;
    private readonly bool _packing;
    private readonly ulong _seed;
    private readonly bool _shuffle;
    private List<PackedRow>? _rows;
    private int _rowsEpoch = -1;

    public DataLoader(IReadOnlyList<TokenizedDocument> docs, int batchSize, int seqLen, bool packing, ulong seed, bool shuffle = true)
    {
        if (docs.Count == 0) throw new ArgumentException("no documents", nameof(docs));
        _docs = docs;
        BatchSize = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize));
        _seqLen = seqLen;
        _packing = packing;
        _seed = seed;
        _shuffle = shuffle;
    }

    public int BatchSize { get; }
    public LoaderState State { get; set; } = new(0, 0);

    public IReadOnlyList<PackedRow> RowsOf(int epoch)
    {
        if (_rowsEpoch != epoch)
        {
            var order = _shuffle ? Shuffle.Permutation(_docs.Count, _seed + 0x9E37_79B9UL * (ulong)(epoch + 1)) : Enumerable.Range(0, _docs.Count).ToArray();
            _rows = Packer.Pack(order.Select(i => _docs[i]), _seqLen, _packing);
            _rowsEpoch = epoch;
        }
        return _rows!;
    }

    public int BatchesPerEpoch => (RowsOf(0).Count + BatchSize - 1) / BatchSize;

    public Batch Next()
    {
        var rows = RowsOf(State.Epoch);
        var take = rows.Skip(State.Row).Take(BatchSize).ToList();
        var next = State.Row + take.Count;
        State = next >= rows.Count ? new LoaderState(State.Epoch + 1, 0) : new LoaderState(State.Epoch, next);
        return Assemble(take, BatchSize, _seqLen);
    }

    /// <summary>All rows of one pass in order, batched (evaluation).</summary>
    public static IEnumerable<Batch> Sequential(IReadOnlyList<TokenizedDocument> docs, int batchSize, int seqLen, bool packing)
    {
        var rows = Packer.Pack(docs, seqLen, packing);
        for (var i = 0; i < rows.Count; i += batchSize) yield return Assemble(rows.Skip(i).Take(batchSize).ToList(), batchSize, seqLen);
    }

    public static Batch Assemble(IReadOnlyList<PackedRow> rows, int batchSize, int seqLen)
    {
        var n = batchSize * seqLen;
        var ids = new long[n];
        var labels = Enumerable.Repeat(Packer.IgnoreIndex, n).ToArray();
        var seg = new long[n];
        var pos = new long[n];
        for (var r = 0; r < rows.Count; r++)
        {
            rows[r].InputIds.CopyTo(ids, r * seqLen);
            rows[r].Labels.CopyTo(labels, r * seqLen);
            rows[r].SegmentIds.CopyTo(seg, r * seqLen);
            rows[r].PositionIds.CopyTo(pos, r * seqLen);
        }
        return new Batch(batchSize, seqLen, ids, labels, seg, pos);
    }
}
