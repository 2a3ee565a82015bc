// The training communicator (MPI under mpirun/srun) as the ranks that share `med42 eval`'s scoring batches.
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Cli.Commands;

internal sealed class CommunicatorScoringGroup(ICommunicator communicator) : IScoringGroup
{
    public int Rank => communicator.Rank;
    public int WorldSize => communicator.WorldSize;
    public void AllReduceSum(Span<double> values) => communicator.AllReduceSum(values);
}
