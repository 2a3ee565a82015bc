// Which communicator this process trains with: MPI when a launcher (mpirun, srun) started it as one rank of several,
// otherwise the single-process one — so `med42 train` without a launcher never loads MPI and behaves as it always did.
using Med42.Ort.Native;

namespace Med42.Ort.Training.Distributed;

public static class Communicators
{
    /// <summary>An MpiCommunicator (MPI initialised; dispose it to finalize) when launched as a rank, else
    /// SingleProcessCommunicator.Instance. Throws MpiException when launched as a rank without libmed42_mpi.</summary>
    public static ICommunicator FromEnvironment(Func<string, string?>? environment = null) =>
        MpiProcessGroup.LaunchedAsRank(environment) ? new MpiCommunicator(MpiProcessGroup.Initialize()) : SingleProcessCommunicator.Instance;
}
