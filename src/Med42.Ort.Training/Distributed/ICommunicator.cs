// The processes that share one training step (data parallelism): every rank runs its own part of each global
// batch, then the ranks sum their gradients, target counts and losses, so N ranks take the step one process would
// take with N× the accumulation. One implementation per transport behind this interface: SingleProcessCommunicator
// (no-op), MpiCommunicator (host buffers, over libmed42_mpi); an NCCL one for device buffers plugs in the same way.
// A backend hands its gradient buffers to the communicator in the memory they live in (ITrainingBackend.AllReduceGradients).
namespace Med42.Ort.Training.Distributed;

public interface ICommunicator
{
    /// <summary>This process's rank, 0 ≤ Rank &lt; WorldSize.</summary>
    int Rank { get; }

    /// <summary>How many processes share each step.</summary>
    int WorldSize { get; }

    /// <summary>Sums a host buffer element-wise over all ranks, in place: every rank ends with the same sums.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Sums a host buffer of doubles element-wise over all ranks, in place (gathered scores).</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>The sum of <paramref name="value"/> over all ranks (a loss sum), the same on every rank.</summary>
    double AllReduceSum(double value);

    /// <summary>The sum of <paramref name="value"/> over all ranks (a target or token count), the same on every rank.</summary>
    long AllReduceSum(long value);

    /// <summary>Sums a host buffer element-wise over all ranks into rank <paramref name="root"/>'s buffer; the other
    /// ranks' buffers are left as they were (one owner's part of a reduce-scatter: sharded optimizer state).</summary>
    void ReduceSum(Span<float> values, int root);

    /// <summary>Copies rank <paramref name="root"/>'s bytes into every rank's buffer (of the same length).</summary>
    void Broadcast(Span<byte> bytes, int root);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();
}
