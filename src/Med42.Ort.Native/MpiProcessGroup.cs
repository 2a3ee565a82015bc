// MPI_COMM_WORLD of a process started by mpirun or srun, through libmed42_mpi (native/include/med42_mpi.h): rank,
// world size and the collectives data-parallel training uses, on host buffers. The library is loaded only when a
// launcher's environment says this process is one rank of several (LaunchedWorldSize), so a plain `med42` run never
// touches MPI; Dispose finalizes MPI (a rank that initialised MPI must, or the launcher reports it as failed).
using Med42.Ort.Native.Interop;

namespace Med42.Ort.Native;

public sealed unsafe class MpiProcessGroup : IDisposable
{
    /// <summary>The environment variables through which launchers announce the world size (Open MPI's mpirun, MPICH's
    /// Hydra and PMI-2, a Slurm job step), in the order they are read.</summary>
    public static IReadOnlyList<string> WorldSizeVariables { get; } = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"];

    /// <summary>Set by a PMIx launcher (srun --mpi=pmix, prterun) for each rank, with no size beside it.</summary>
    public const string PmixRankVariable = "PMIX_RANK";

    private bool _finalized;

    private MpiProcessGroup(int rank, int size) => (Rank, WorldSize) = (rank, size);

    public int Rank { get; }
    public int WorldSize { get; }

    /// <summary>Full path of libmed42_mpi, or null when it was not built (no MPI found by CMake) or shipped.</summary>
    public static string? LibraryPath => NativeLibraryResolver.Candidates(MpiMethods.Library).FirstOrDefault(File.Exists);

    /// <summary>Whether <paramref name="environment"/> (the process's own when null) says a launcher started this
    /// process as one rank of several: a world-size variable above 1, or a PMIx rank. A plain process, or a launch of
    /// one rank, trains without MPI (the same run). Malformed values count as unset.</summary>
    public static bool LaunchedAsRank(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        foreach (var name in WorldSizeVariables)
            if (int.TryParse(environment(name), out var size)) return size > 1;
        return int.TryParse(environment(PmixRankVariable), out _);
    }

    /// <summary>MPI_Init on MPI_COMM_WORLD; an MpiException when libmed42_mpi is missing, of another API version, or MPI fails.</summary>
    public static MpiProcessGroup Initialize()
    {
        if (LibraryPath is null)
            throw new MpiException($"{NativeLibraryResolver.FileName(MpiMethods.Library)} not found (searched " +
                $"{string.Join(", ", NativeLibraryResolver.Candidates(MpiMethods.Library))}); install libopenmpi-dev and rebuild native/ (docs/scale.md)");
        var version = MpiMethods.ApiVersion();
        if (version != MpiMethods.ExpectedApiVersion)
            throw new MpiException($"API version {version}, this build expects {MpiMethods.ExpectedApiVersion}; rebuild native/");
        MpiStatus.ThrowIfFailed(MpiMethods.Init(out var rank, out var size));
        return new MpiProcessGroup(rank, size);
    }

    public void AllReduceSum(Span<float> values)
    {
        fixed (float* p = values) MpiStatus.ThrowIfFailed(MpiMethods.AllReduceSum(p, values.Length, MpiElementType.Float32));
    }

    public void AllReduceSum(Span<double> values)
    {
        fixed (double* p = values) MpiStatus.ThrowIfFailed(MpiMethods.AllReduceSum(p, values.Length, MpiElementType.Float64));
    }

    public void AllReduceSum(Span<long> values)
    {
        fixed (long* p = values) MpiStatus.ThrowIfFailed(MpiMethods.AllReduceSum(p, values.Length, MpiElementType.Int64));
    }

    /// <summary>Rank <paramref name="root"/>'s <paramref name="values"/> ← their sum over all ranks; the others' are left as they were.</summary>
    public void ReduceSum(Span<float> values, int root)
    {
        fixed (float* p = values) MpiStatus.ThrowIfFailed(MpiMethods.ReduceSum(p, values.Length, MpiElementType.Float32, root));
    }

    /// <summary>Copies <paramref name="bytes"/> of rank <paramref name="root"/> into every rank's buffer of the same length.</summary>
    public void Broadcast(Span<byte> bytes, int root)
    {
        fixed (byte* p = bytes) MpiStatus.ThrowIfFailed(MpiMethods.Broadcast(p, bytes.Length, root));
    }

    public void Barrier() => MpiStatus.ThrowIfFailed(MpiMethods.Barrier());

    /// <summary>MPI_Abort: the launcher ends every rank of the job, this one with <paramref name="exitCode"/>. Does not return.</summary>
    public void Abort(int exitCode) => MpiMethods.Abort(exitCode);

    public void Dispose()
    {
        if (_finalized) return;
        _finalized = true;
        MpiStatus.ThrowIfFailed(MpiMethods.FinalizeMpi());
    }
}
