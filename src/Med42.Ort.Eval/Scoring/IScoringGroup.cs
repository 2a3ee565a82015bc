// The processes that share one evaluation (`mpirun -np N med42 eval`): each scores its share of the scoring batches
// (a question's options are one prefix group, never split across batches or ranks), then every request's result is
// summed across ranks, where exactly one rank holds it and the others hold zero, so every rank ends with all results,
// bit for bit what that rank computed. The CLI adapts its MPI communicator to this; null means one process.
namespace Med42.Ort.Eval.Scoring;

public interface IScoringGroup
{
    int Rank { get; }
    int WorldSize { get; }

    /// <summary>Element-wise sum over all ranks, in place; every rank ends with the same sums.</summary>
    void AllReduceSum(Span<double> values);
}
