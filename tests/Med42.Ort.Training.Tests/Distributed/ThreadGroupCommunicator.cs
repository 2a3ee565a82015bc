// Ranks as threads of one test process: each collective deposits every rank's buffer, waits for all, and sums in rank
// order (0 + x₀ + x₁ + …), which is the order one process accumulates micro-batches in — so the in-process ranks are
// an exact oracle for "N ranks equal one process with N× accumulation", without MPI.
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Training.Tests.Distributed;

internal sealed class ThreadGroup(int size)
{
    private readonly Barrier _barrier = new(size);
    private readonly object?[] _slots = new object?[size];

    public int Size => size;

    public ICommunicator Member(int rank) => new Rank(this, rank);

    /// <summary>Runs <paramref name="body"/> once per rank, each on its own thread; rethrows the first failure.</summary>
    public T[] Run<T>(Func<ICommunicator, T> body)
    {
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            try { results[r] = body(Member(r)); }
            catch (Exception e) { errors[r] = e; _barrier.RemoveParticipant(); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw new AggregateException(error);
        return results;
    }

    // Every rank publishes its value, all read every slot in rank order, and nobody reuses the slots until all have read.
    private TOut Exchange<TIn, TOut>(int rank, TIn value, Func<IReadOnlyList<TIn>, TOut> combine)
    {
        _slots[rank] = value;
        _barrier.SignalAndWait();
        var result = combine(_slots.Select(s => (TIn)s!).ToList());
        _barrier.SignalAndWait();
        return result;
    }

    private sealed class Rank(ThreadGroup group, int rank) : ICommunicator
    {
        int ICommunicator.Rank => rank;
        public int WorldSize => group.Size;

        public void AllReduceSum(Span<float> values)
        {
            var sums = group.Exchange(rank, values.ToArray(), all =>
            {
                var s = new float[all[0].Length];
                foreach (var a in all)
                    for (var j = 0; j < s.Length; j++) s[j] += a[j];
                return s;
            });
            sums.CopyTo(values);
        }

        public void AllReduceSum(Span<double> values)
        {
            var sums = group.Exchange(rank, values.ToArray(), all =>
            {
                var s = new double[all[0].Length];
                foreach (var a in all)
                    for (var j = 0; j < s.Length; j++) s[j] += a[j];
                return s;
            });
            sums.CopyTo(values);
        }

        // The root takes the same rank-order sums as AllReduceSum; the others keep their buffers.
        public void ReduceSum(Span<float> values, int root)
        {
            var copy = values.ToArray();
            AllReduceSum(copy);
            if (rank == root) copy.CopyTo(values);
        }

        public double AllReduceSum(double value) => group.Exchange(rank, value, all => all.Aggregate(0.0, (s, v) => s + v));
        public long AllReduceSum(long value) => group.Exchange(rank, value, all => all.Sum());

        public void Broadcast(Span<byte> bytes, int root) =>
            group.Exchange(rank, bytes.ToArray(), all => all[root]).CopyTo(bytes);

        public void Barrier() => group.Exchange(rank, 0, _ => 0);
    }
}
