// The P/Invoke surface of libmed42_mpi (native/include/med42_mpi.h): a C shim over MPI_COMM_WORLD, because Open MPI's
// handles are link-time symbols (ompi_mpi_comm_world, ompi_mpi_float) that a [LibraryImport] cannot name. Every
// m42_mpi_status* comes back as an MpiStatusHandle and goes through MpiStatus.ThrowIfFailed.
using System.Runtime.InteropServices;

namespace Med42.Ort.Native.Interop;

internal enum MpiErrorCode
{
    Ok = 0,
    NullPointer = 1,
    InvalidArgument = 2,
    NotInitialized = 3,
    MpiError = 4,
}

internal enum MpiElementType
{
    Float32 = 0,
    Float64 = 1,
    Int64 = 2,
}

internal static unsafe partial class MpiMethods
{
    internal const string Library = "med42_mpi";

    /// <summary>The value of M42_MPI_API_VERSION this binding was written against.</summary>
    internal const int ExpectedApiVersion = 2;

    [LibraryImport(Library, EntryPoint = "m42_mpi_api_version")]
    internal static partial int ApiVersion();

    [LibraryImport(Library, EntryPoint = "m42_mpi_status_code")]
    internal static partial MpiErrorCode StatusCode(nint status);

    [LibraryImport(Library, EntryPoint = "m42_mpi_status_message")]
    internal static partial nint StatusMessage(nint status);

    [LibraryImport(Library, EntryPoint = "m42_mpi_status_free")]
    internal static partial void StatusFree(nint status);

    [LibraryImport(Library, EntryPoint = "m42_mpi_init")]
    internal static partial MpiStatusHandle Init(out int rank, out int size);

    [LibraryImport(Library, EntryPoint = "m42_mpi_allreduce_sum")]
    internal static partial MpiStatusHandle AllReduceSum(void* buffer, long count, MpiElementType type);

    [LibraryImport(Library, EntryPoint = "m42_mpi_reduce_sum")]
    internal static partial MpiStatusHandle ReduceSum(void* buffer, long count, MpiElementType type, int root);

    [LibraryImport(Library, EntryPoint = "m42_mpi_broadcast")]
    internal static partial MpiStatusHandle Broadcast(void* bytes, long count, int root);

    [LibraryImport(Library, EntryPoint = "m42_mpi_barrier")]
    internal static partial MpiStatusHandle Barrier();

    [LibraryImport(Library, EntryPoint = "m42_mpi_abort")]
    internal static partial void Abort(int code);

    [LibraryImport(Library, EntryPoint = "m42_mpi_finalize")]
    internal static partial MpiStatusHandle FinalizeMpi();
}

/// <summary>An m42_mpi_status*; invalid (zero) means success.</summary>
internal sealed class MpiStatusHandle : SafeHandle
{
    public MpiStatusHandle() : base(nint.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == nint.Zero;
    protected override bool ReleaseHandle()
    {
        MpiMethods.StatusFree(handle);
        return true;
    }
}

internal static class MpiStatus
{
    /// <summary>Frees <paramref name="status"/>; throws MpiException with its message when it is a failure.</summary>
    public static void ThrowIfFailed(MpiStatusHandle status)
    {
        using (status)
        {
            if (status.IsInvalid) return;
            var raw = status.DangerousGetHandle();
            throw new MpiException(Marshal.PtrToStringUTF8(MpiMethods.StatusMessage(raw)) ?? "");
        }
    }
}
