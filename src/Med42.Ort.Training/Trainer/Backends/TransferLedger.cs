// Counts what a training backend moves between host memory and the memory its step runs in, by direction and kind.
// A device backend records each copy it issues; the CPU backend, whose step memory is the host buffers themselves,
// records the copies into its bound inputs and the values it hands back. Tests compare the counts with what the
// ITrainingBackend contract allows per step (batch up, scalars down) and per checkpoint (the state).
namespace Med42.Ort.Training.Trainer.Backends;

public enum TransferDirection { HostToDevice, DeviceToHost }

/// <summary>Batch: token ids, labels, segments, positions, dropout masks. Scalar: loss sum, target count, squared
/// norm. State: parameters and AdamW moments (checkpoints only).</summary>
public enum TransferKind { Batch, Scalar, State }

/// <summary>Bytes and number of transfers.</summary>
public readonly record struct TransferTotal(long Bytes, long Count)
{
    public static TransferTotal operator -(TransferTotal a, TransferTotal b) => new(a.Bytes - b.Bytes, a.Count - b.Count);
}

public sealed class TransferLedger
{
    private static readonly int Kinds = Enum.GetValues<TransferKind>().Length;
    private readonly TransferTotal[] _totals;

    public TransferLedger() => _totals = new TransferTotal[2 * Kinds];

    private TransferLedger(TransferTotal[] totals) => _totals = totals;

    public void Record(TransferDirection direction, TransferKind kind, long bytes)
    {
        ref var t = ref _totals[Index(direction, kind)];
        t = new TransferTotal(t.Bytes + bytes, t.Count + 1);
    }

    /// <summary>One micro-batch through a model: ids, labels, segments and positions (int64) and the dropout masks (one
    /// byte per bool) up; loss sum and target count (two float32) down.</summary>
    public void RecordMicroBatch(Data.Batch batch, IReadOnlyList<bool[]> masks)
    {
        Record(TransferDirection.HostToDevice, TransferKind.Batch, 4L * sizeof(long) * batch.InputIds.Length + masks.Sum(m => (long)m.Length));
        Record(TransferDirection.DeviceToHost, TransferKind.Scalar, sizeof(float));
        Record(TransferDirection.DeviceToHost, TransferKind.Scalar, sizeof(float));
    }

    public TransferTotal this[TransferDirection direction, TransferKind kind] => _totals[Index(direction, kind)];

    /// <summary>A copy of the counts so far (to subtract from a later one).</summary>
    public TransferLedger Snapshot() => new((TransferTotal[])_totals.Clone());

    /// <summary>What was recorded after <paramref name="earlier"/> was taken.</summary>
    public TransferLedger Since(TransferLedger earlier) => new(_totals.Select((t, i) => t - earlier._totals[i]).ToArray());

    public override string ToString() => string.Join(", ",
        from d in Enum.GetValues<TransferDirection>() from k in Enum.GetValues<TransferKind>()
        let t = this[d, k] where t.Count > 0 select $"{d} {k}: {t.Bytes} B in {t.Count}");

    private static int Index(TransferDirection direction, TransferKind kind) => (int)direction * Kinds + (int)kind;
}
