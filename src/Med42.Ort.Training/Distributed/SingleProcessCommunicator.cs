// One process, world size 1: every collective is the identity, so a run without MPI takes exactly the steps it
// took before communicators existed (no copies, no reordered sums).
namespace Med42.Ort.Training.Distributed;

public sealed class SingleProcessCommunicator : ICommunicator
{
    public static SingleProcessCommunicator Instance { get; } = new();

    private SingleProcessCommunicator() { }

    public int Rank => 0;
    public int WorldSize => 1;
    public void AllReduceSum(Span<float> values) { }
    public double AllReduceSum(double value) => value;
    public long AllReduceSum(long value) => value;
    public void AllReduceSum(Span<double> values) { }
    public void ReduceSum(Span<float> values, int root) { }
    public void Broadcast(Span<byte> bytes, int root) { }
    public void Barrier() { }
}
