// Managed API over libmed42_native's CUDA kernels on device buffers (raw device pointers as nint,
// stream = cudaStream_t as nint, 0 = default stream). Buffers hold `dtype` elements except inv_rms,
// scales, caches, optimizer state (fp32) and position ids (int64). Shapes as in NativeKernels.
// In a CPU-only build every call throws NativeKernelException with Code = Unsupported.
using Med42.Ort.Native.Interop;

namespace Med42.Ort.Native;

public static class CudaKernels
{
    public static void RmsNormForward(nint stream, NativeDType dtype, nint x, nint residual, nint w, long rows, long c,
        float eps, nint y, nint invRms) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaRmsNormForward(stream, dtype, x, residual, w, rows, c, eps, y, invRms));

    /// <summary>dwPartial: fp32 scratch of ceil(rows/32)·C elements (M42_RMS_NORM_BWD_ROWS) for the deterministic dw reduction.</summary>
    public static void RmsNormBackward(nint stream, NativeDType dtype, nint dy, nint x, nint w, nint invRms, long rows,
        long c, nint dx, nint dw, nint dwPartial) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaRmsNormBackward(stream, dtype, dy, x, w, invRms, rows, c, dx, dw, dwPartial));

    public static void RotaryForward(nint stream, NativeDType dtype, nint x, nint y, long rows, long heads, long headDim,
        nint positionIds, nint cosCache, nint sinCache, long maxPosition, float theta, RotaryLayout layout) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaRotaryForward(stream, dtype, x, y, rows, heads, headDim, positionIds,
            cosCache, sinCache, maxPosition, theta, layout));

    public static void RotaryBackward(nint stream, NativeDType dtype, nint dy, nint dx, long rows, long heads, long headDim,
        nint positionIds, nint cosCache, nint sinCache, long maxPosition, float theta, RotaryLayout layout) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaRotaryBackward(stream, dtype, dy, dx, rows, heads, headDim, positionIds,
            cosCache, sinCache, maxPosition, theta, layout));

    public static void DequantInt4(nint stream, NativeDType dtype, nint b, nint scales, nint zeroPoints, long n, long k,
        long block, nint w) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaDequantInt4(stream, dtype, b, scales, zeroPoints, n, k, block, w));

    public static void MatVecInt4(nint stream, NativeDType dtype, nint x, nint b, nint scales, nint zeroPoints, long n,
        long k, long block, nint y) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaMatVecInt4(stream, dtype, x, b, scales, zeroPoints, n, k, block, y));

    /// <summary>wScratch: N·K elements of dtype receiving the dequantised weights.</summary>
    public static void GemmInt4(nint stream, NativeDType dtype, nint a, nint b, nint scales, nint zeroPoints, long m,
        long n, long k, long block, nint wScratch, nint y) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaGemmInt4(stream, dtype, a, b, scales, zeroPoints, m, n, k, block, wScratch, y));

    public static void AdamWStep(nint stream, nint param, nint grad, nint m, nint v, long n, float lr, float beta1,
        float beta2, float eps, float weightDecay, long step, NativeDType copyDType, nint copyOut) =>
        NativeStatus.ThrowIfFailed(NativeMethods.CudaAdamWStep(stream, param, grad, m, v, n, lr, beta1, beta2, eps,
            weightDecay, step, copyDType, copyOut));
}
