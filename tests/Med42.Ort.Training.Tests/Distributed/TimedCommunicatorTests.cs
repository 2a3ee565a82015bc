// TimedCommunicator passes every collective through unchanged and counts the time spent inside them, including the
// wait for a rank that arrives late (what a run reports as its communication time per step).
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Training.Tests.Distributed;

public class TimedCommunicatorTests
{
    [Fact]
    public void ForwardsTheSumsAndCountsTheWaitForALateRank()
    {
        var group = new ThreadGroup(2);
        var results = group.Run(c =>
        {
            var timed = new TimedCommunicator(c);
            if (c.Rank == 1) Thread.Sleep(300);   // rank 0 waits for it in the first collective
            var buffer = new[] { 1f + c.Rank, 10f };
            timed.AllReduceSum(buffer);
            var total = timed.AllReduceSum(2L + c.Rank);
            return (buffer, total, timed.Elapsed);
        });
        foreach (var (buffer, total, _) in results)
        {
            Assert.Equal([3f, 20f], buffer);
            Assert.Equal(5L, total);
        }
        // 300 ms of sleep on rank 1; thread start-up skew can eat into it, never add to it beyond scheduling noise.
        Assert.True(results[0].Elapsed >= TimeSpan.FromMilliseconds(150), $"rank 0 waited {results[0].Elapsed.TotalMilliseconds} ms");
        Assert.True(results[1].Elapsed < results[0].Elapsed, "the late rank waits less than the early one");
    }
}
