// A rank blocked in a collective longer than a timeout is taken as a stalled (not dead) peer: a dead rank is seen by
// the launcher, a stopped or hung one is not, and every other rank would wait in its next collective forever. This
// decorator times each collective and, once one runs past the timeout, calls onTimeout once (the CLI prints the rank
// and aborts the whole job); it never interrupts the collective itself.
using System.Diagnostics;

namespace Med42.Ort.Training.Distributed;

public sealed class CollectiveWatchdog : ICommunicator, IDisposable
{
    private readonly ICommunicator _inner;
    private readonly TimeSpan _timeout;
    private readonly Action<string> _onTimeout;
    private readonly Timer _timer;
    private long _enteredAt;          // Stopwatch timestamp of the collective in progress; 0 when none
    private string _what = "";
    private int _fired;

    /// <param name="onTimeout">Called once, on a timer thread, with what waited and for how long.</param>
    public CollectiveWatchdog(ICommunicator inner, TimeSpan timeout, Action<string> onTimeout)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "must be positive");
        (_inner, _timeout, _onTimeout) = (inner, timeout, onTimeout);
        var period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 10, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _timer = new Timer(_ => Check(), null, period, period);
    }

    public int Rank => _inner.Rank;
    public int WorldSize => _inner.WorldSize;

    public void AllReduceSum(Span<float> values) { Enter("all-reduce"); try { _inner.AllReduceSum(values); } finally { Exit(); } }
    public void AllReduceSum(Span<double> values) { Enter("all-reduce"); try { _inner.AllReduceSum(values); } finally { Exit(); } }
    public void ReduceSum(Span<float> values, int root) { Enter("reduce"); try { _inner.ReduceSum(values, root); } finally { Exit(); } }
    public void Broadcast(Span<byte> bytes, int root) { Enter("broadcast"); try { _inner.Broadcast(bytes, root); } finally { Exit(); } }
    public void Barrier() { Enter("barrier"); try { _inner.Barrier(); } finally { Exit(); } }
    public double AllReduceSum(double value) { Enter("all-reduce"); try { return _inner.AllReduceSum(value); } finally { Exit(); } }
    public long AllReduceSum(long value) { Enter("all-reduce"); try { return _inner.AllReduceSum(value); } finally { Exit(); } }

    public void Dispose() => _timer.Dispose();

    private void Enter(string what)
    {
        _what = what;
        Volatile.Write(ref _enteredAt, Stopwatch.GetTimestamp());
    }

    private void Exit() => Volatile.Write(ref _enteredAt, 0);

    private void Check()
    {
        var since = Volatile.Read(ref _enteredAt);
        if (since == 0 || Stopwatch.GetElapsedTime(since) < _timeout) return;
        if (Interlocked.Exchange(ref _fired, 1) == 0)
            _onTimeout($"a {_what} waited more than {_timeout.TotalSeconds:G4} s for the other ranks (one stalled or died)");
    }
}
