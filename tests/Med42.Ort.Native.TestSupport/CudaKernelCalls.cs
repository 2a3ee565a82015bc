// libmed42_native's CUDA RMSNorm, rotary and int4 kernels on device buffers (raw device pointers as nint,
// stream = cudaStream_t as nint, 0 = default stream). Buffers hold `dtype` elements except inv_rms, scales, caches
// (fp32) and position ids (int64). Shapes as in CpuKernelCalls. In a CPU-only build every call throws
// NativeKernelException with Code = Unsupported.
using Med42.Ort.Native.Interop;

namespace Med42.Ort.Native.TestSupport;

public static class CudaKernelCalls
{
    public static void RmsNormForward(nint stream, NativeDType dtype, nint x, nint residual, nint w, long rows, long c,
        float eps, nint y, nint invRms) =>
        NativeStatus.ThrowIfFailed(KernelMethods.CudaRmsNormForward(stream, dtype, x, residual, w, rows, c, eps, y, invRms));

    /// <summary>dwPartial: fp32 scratch of ceil(rows/32)·C elements (M42_RMS_NORM_BWD_ROWS) for the deterministic dw reduction.</summary>
    public static void RmsNormBackward(nint stream, NativeDType dtype, nint dy, nint x, nint w, nint invRms, long rows,
        long c, nint dx, nint dw, nint dwPartial) =>
        NativeStatus.ThrowIfFailed(KernelMethods.CudaRmsNormBackward(stream, dtype, dy, x, w, invRms, rows, c, dx, dw, dwPartial));

    public static void RotaryForward(nint stream, NativeDType dtype, nint x, nint y, long rows, long heads, long headDim,
        nint positionIds, nint cosCache, nint sinCache, long maxPosition, float theta, RotaryLayout layout) =>
        NativeStatus.ThrowIfFailed(KernelMethods.CudaRotaryForward(stream, dtype, x, y, rows, heads, headDim, positionIds,
            cosCache, sinCache, maxPosition, theta, layout));

    public static void RotaryBackward(nint stream, NativeDType dtype, nint dy, nint dx, long rows, long heads, long headDim,
        nint positionIds, nint cosCache, nint sinCache, long maxPosition, float theta, RotaryLayout layout) =>
        NativeStatus.ThrowIfFailed(KernelMethods.CudaRotaryBackward(stream, dtype, dy, dx, rows, heads, headDim, positionIds,
            cosCache, sinCache, maxPosition, theta, layout));

    public static void DequantInt4(nint stream, NativeDType dtype, nint b, nint scales, nint zeroPoints, long n, long k,
        long block, nint w) =>
        NativeStatus.ThrowIfFailed(KernelMethods.CudaDequantInt4(stream, dtype, b, scales, zeroPoints, n, k, block, w));

    public static void MatVecInt4(nint stream, NativeDType dtype, nint x, nint b, nint scales, nint zeroPoints, long n,
        long k, long block, nint y) =>
        NativeStatus.ThrowIfFailed(KernelMethods.CudaMatVecInt4(stream, dtype, x, b, scales, zeroPoints, n, k, block, y));

    /// <summary>wScratch: N·K elements of dtype receiving the dequantised weights.</summary>
    public static void GemmInt4(nint stream, NativeDType dtype, nint a, nint b, nint scales, nint zeroPoints, long m,
        long n, long k, long block, nint wScratch, nint y) =>
        NativeStatus.ThrowIfFailed(KernelMethods.CudaGemmInt4(stream, dtype, a, b, scales, zeroPoints, m, n, k, block, wScratch, y));
}
