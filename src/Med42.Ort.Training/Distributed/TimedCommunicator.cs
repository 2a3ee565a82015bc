// A communicator that measures itself: the wall time this rank spends inside collectives (the transfer, plus any wait
// for a slower rank), so a run can report its communication time per step. Decorates any ICommunicator.
using System.Diagnostics;

namespace Med42.Ort.Training.Distributed;

public sealed class TimedCommunicator(ICommunicator inner) : ICommunicator
{
    private long _ticks;

    /// <summary>Total time spent in collectives on this rank so far.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, _ticks);

    public int Rank => inner.Rank;
    public int WorldSize => inner.WorldSize;

    public void AllReduceSum(Span<float> values) { var t = Stopwatch.GetTimestamp(); inner.AllReduceSum(values); _ticks += Stopwatch.GetTimestamp() - t; }
    public void AllReduceSum(Span<double> values) { var t = Stopwatch.GetTimestamp(); inner.AllReduceSum(values); _ticks += Stopwatch.GetTimestamp() - t; }
    public void ReduceSum(Span<float> values, int root) { var t = Stopwatch.GetTimestamp(); inner.ReduceSum(values, root); _ticks += Stopwatch.GetTimestamp() - t; }
    public void Broadcast(Span<byte> bytes, int root) { var t = Stopwatch.GetTimestamp(); inner.Broadcast(bytes, root); _ticks += Stopwatch.GetTimestamp() - t; }
    public void Barrier() { var t = Stopwatch.GetTimestamp(); inner.Barrier(); _ticks += Stopwatch.GetTimestamp() - t; }

    public double AllReduceSum(double value)
    {
        var t = Stopwatch.GetTimestamp();
        var sum = inner.AllReduceSum(value);
        _ticks += Stopwatch.GetTimestamp() - t;
        return sum;
    }

    public long AllReduceSum(long value)
    {
        var t = Stopwatch.GetTimestamp();
        var sum = inner.AllReduceSum(value);
        _ticks += Stopwatch.GetTimestamp() - t;
        return sum;
    }
}
