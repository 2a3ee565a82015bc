// A rank of an MPI job that fails must take the whole job down: the others would otherwise wait forever in their next
// collective. The error is printed as the single-process CLI prints it, naming the rank, then MPI_Abort ends every rank.
using Med42.Ort.Core.Errors;
using Med42.Ort.Training.Distributed;

namespace Med42.Ort.Cli.Commands;

internal static class RankFailures
{
    /// <summary>Help text of the verbs' --collective-timeout.</summary>
    public const string TimeoutHelp = "Under mpirun/srun: seconds a rank may wait in one collective before it aborts the job (a stalled rank).";

    /// <summary>Under MPI, <paramref name="communicator"/> behind a CollectiveWatchdog: a collective that waits longer than
    /// <paramref name="seconds"/> prints the rank and aborts the job (exit 3). A single process gets it back unchanged.</summary>
    public static ICommunicator WithTimeout(ICommunicator communicator, double seconds)
    {
        if (communicator is not MpiCommunicator mpi) return communicator;
        if (!(seconds > 0) || double.IsInfinity(seconds)) throw new Med42Exception($"--collective-timeout must be a positive number of seconds, got {seconds}");
        return new CollectiveWatchdog(mpi, TimeSpan.FromSeconds(seconds), message =>
        {
            Console.Error.WriteLine($"med42: error: rank {mpi.Rank} of {mpi.WorldSize}: {message}");
            Console.Error.Flush();
            mpi.Abort(3);
        });
    }

    /// <summary>Runs <paramref name="body"/>; under MPI any exception it throws is printed with the rank and aborts the job
    /// (exit 2 for a user error, 130 for a cancellation, 1 for a bug). A single process lets exceptions through to Program.</summary>
    public static int AbortOnError(ICommunicator communicator, Func<int> body)
    {
        if (communicator is not MpiCommunicator mpi) return body();
        try
        {
            return body();
        }
        catch (Exception e)
        {
            var where = $"rank {mpi.Rank} of {mpi.WorldSize}";
            var (line, code) = e switch
            {
                Med42Exception => ($"med42: error: {where}: {e.Message}", 2),
                OperationCanceledException => ($"med42: cancelled ({where})", 130),
                _ => ($"med42: {where} failed: {e}", 1),
            };
            Console.Out.Flush();
            Console.Error.WriteLine(line);
            Console.Error.Flush();
            mpi.Abort(code);
            return code; // not reached: MPI_Abort ends the process
        }
    }
}
