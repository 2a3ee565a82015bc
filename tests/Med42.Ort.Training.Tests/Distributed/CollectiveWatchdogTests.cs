// CollectiveWatchdog: a collective blocked past the timeout is reported once, naming the collective; collectives that
// return in time never are, and results pass through unchanged.
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Training.Tests.Distributed;

public class CollectiveWatchdogTests
{
    [Fact]
    public async Task ABlockedCollectiveIsReportedOnceAfterTheTimeout()
    {
        using var release = new ManualResetEventSlim();
        var reports = new List<string>();
        using var fired = new ManualResetEventSlim();
        using var watchdog = new CollectiveWatchdog(new Blocking(release), TimeSpan.FromMilliseconds(200), m => { lock (reports) reports.Add(m); fired.Set(); });
        var blocked = Task.Run(() => watchdog.Barrier());
        Assert.True(fired.Wait(TimeSpan.FromSeconds(10)), "no report 10 s into a collective with a 0.2 s timeout");
        Thread.Sleep(300);   // more timer ticks: still one report
        release.Set();
        await blocked;
        Assert.Equal(["a barrier waited more than 0.2 s for the other ranks (one stalled or died)"], reports);
    }

    [Fact]
    public void CollectivesThatReturnInTimeAreNotReported()
    {
        var reports = 0;
        using var watchdog = new CollectiveWatchdog(SingleProcessCommunicator.Instance, TimeSpan.FromMilliseconds(100), _ => Interlocked.Increment(ref reports));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(3L, watchdog.AllReduceSum(3L));
            Thread.Sleep(20);   // time outside collectives does not count
        }
        Assert.Equal(0, reports);
    }

    // A one-rank communicator whose barrier waits until released (a peer that never arrives).
    private sealed class Blocking(ManualResetEventSlim release) : ICommunicator
    {
        public int Rank => 0;
        public int WorldSize => 2;
        public void AllReduceSum(Span<float> values) { }
        public void AllReduceSum(Span<double> values) { }
        public double AllReduceSum(double value) => value;
        public long AllReduceSum(long value) => value;
        public void ReduceSum(Span<float> values, int root) { }
        public void Broadcast(Span<byte> bytes, int root) { }
        public void Barrier() => release.Wait();
    }
}
