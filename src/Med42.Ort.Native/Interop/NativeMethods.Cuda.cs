// P/Invoke declaration of m42_cuda_adamw_step (device pointers, a cudaStream_t as nint): the device optimizer step a
// CUDA training backend runs on its bound buffers. In a CPU-only build of libmed42_native it exists and returns
// NativeErrorCode.Unsupported.
using System.Runtime.InteropServices;

namespace Med42.Ort.Native.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, EntryPoint = "m42_cuda_adamw_step")]
    internal static partial StatusHandle CudaAdamWStep(nint stream, nint param, nint grad, nint m, nint v, long n,
        float lr, float beta1, float beta2, float eps, float weightDecay, long step, NativeDType copyDType, nint copyOut);
}
