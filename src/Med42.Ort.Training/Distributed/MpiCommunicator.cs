// The ranks of an MPI job (mpirun, srun) as a communicator over host buffers: MPI_COMM_WORLD through libmed42_mpi.
// Rank and world size come from MPI itself. Abort ends every rank of the job (MPI_Abort), so one rank's failure
// never leaves the others blocked in a collective; Dispose finalizes MPI at a normal end.
using Med42.Ort.Native;

namespace Med42.Ort.Training.Distributed;

public sealed class MpiCommunicator : ICommunicator, IDisposable
{
    private readonly MpiProcessGroup _group;
    private readonly double[] _double = new double[1];
    private readonly long[] _long = new long[1];

    public MpiCommunicator(MpiProcessGroup group) => _group = group;

    public int Rank => _group.Rank;
    public int WorldSize => _group.WorldSize;

    public void AllReduceSum(Span<float> values) => _group.AllReduceSum(values);

    public double AllReduceSum(double value)
    {
        _double[0] = value;
        _group.AllReduceSum(_double);
        return _double[0];
    }

    public long AllReduceSum(long value)
    {
        _long[0] = value;
        _group.AllReduceSum(_long);
        return _long[0];
    }

    public void AllReduceSum(Span<double> values) => _group.AllReduceSum(values);

    public void ReduceSum(Span<float> values, int root) => _group.ReduceSum(values, root);

    public void Broadcast(Span<byte> bytes, int root) => _group.Broadcast(bytes, root);

    public void Barrier() => _group.Barrier();

    /// <summary>MPI_Abort: every rank of the job ends, this one with <paramref name="exitCode"/>. Does not return.</summary>
    public void Abort(int exitCode) => _group.Abort(exitCode);

    public void Dispose() => _group.Dispose();
}
