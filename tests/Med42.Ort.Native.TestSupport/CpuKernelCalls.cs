// libmed42_native's CPU RMSNorm, rotary and int4 kernels on spans, for tests that check each kernel against its
// oracle (production runs them inside the ai.med42 custom ops). Shapes: x [rows, C]; rotary x [rows, H, D]; int4
// weights W [N, K] in ONNX Runtime's MatMulNBits layout (see native/include/med42.h). Lengths are checked before
// every native call; everything else is the native status's to report.
using Med42.Ort.Native.Interop;

namespace Med42.Ort.Native.TestSupport;

public static unsafe class CpuKernelCalls
{
    /// <summary>y = x / sqrt(mean(x²) + eps) · w per row; invRms [rows]. With residual: residual += x, then the sum is normalised.</summary>
    public static void RmsNormForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int rows, int c, float eps,
        Span<float> y, Span<float> invRms, Span<float> residual = default, KernelChoice kernels = KernelChoice.Auto)
    {
        long n = (long)rows * c;
        NativeKernels.Need(x, n, nameof(x)); NativeKernels.Need(w, c, nameof(w)); NativeKernels.Need<float>(y, n, nameof(y)); NativeKernels.Need<float>(invRms, rows, nameof(invRms));
        if (!residual.IsEmpty) NativeKernels.Need<float>(residual, n, nameof(residual));
        fixed (float* px = x, pw = w, py = y, pi = invRms, pr = residual)
            NativeStatus.ThrowIfFailed(KernelMethods.RmsNormForward(NativeKernels.Context(kernels), px, pr, pw, rows, c, eps, py, pi));
    }

    /// <summary>dx [rows, C] and dw [C] (overwritten, rows reduced in a fixed order) from dy, x, w, invRms.</summary>
    public static void RmsNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> invRms, int rows, int c, Span<float> dx, Span<float> dw, KernelChoice kernels = KernelChoice.Auto)
    {
        long n = (long)rows * c;
        NativeKernels.Need(dy, n, nameof(dy)); NativeKernels.Need(x, n, nameof(x)); NativeKernels.Need(w, c, nameof(w)); NativeKernels.Need(invRms, rows, nameof(invRms));
        NativeKernels.Need<float>(dx, n, nameof(dx)); NativeKernels.Need<float>(dw, c, nameof(dw));
        fixed (float* pdy = dy, px = x, pw = w, pi = invRms, pdx = dx, pdw = dw)
            NativeStatus.ThrowIfFailed(KernelMethods.RmsNormBackward(NativeKernels.Context(kernels), pdy, px, pw, pi, rows, c, pdx, pdw));
    }

    /// <summary>Rotary embedding of x [rows, H, D] at positionIds [rows]; caches [maxPosition, D/2] or empty (use theta).</summary>
    public static void RotaryForward(ReadOnlySpan<float> x, Span<float> y, int rows, int heads, int headDim,
        ReadOnlySpan<long> positionIds, ReadOnlySpan<float> cosCache, ReadOnlySpan<float> sinCache, float theta,
        RotaryLayout layout, KernelChoice kernels = KernelChoice.Auto) =>
        Rotary(false, x, y, rows, heads, headDim, positionIds, cosCache, sinCache, theta, layout, kernels);

    /// <summary>Backward of RotaryForward: the inverse rotation of dy.</summary>
    public static void RotaryBackward(ReadOnlySpan<float> dy, Span<float> dx, int rows, int heads, int headDim,
        ReadOnlySpan<long> positionIds, ReadOnlySpan<float> cosCache, ReadOnlySpan<float> sinCache, float theta,
        RotaryLayout layout, KernelChoice kernels = KernelChoice.Auto) =>
        Rotary(true, dy, dx, rows, heads, headDim, positionIds, cosCache, sinCache, theta, layout, kernels);

    private static void Rotary(bool backward, ReadOnlySpan<float> x, Span<float> y, int rows, int heads, int headDim,
        ReadOnlySpan<long> pos, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, float theta, RotaryLayout layout,
        KernelChoice kernels)
    {
        long n = (long)rows * heads * headDim;
        NativeKernels.Need(x, n, "x"); NativeKernels.Need<float>(y, n, "y"); NativeKernels.Need(pos, rows, "positionIds");
        if (cos.Length != sin.Length) throw new ArgumentException("cosCache and sinCache differ in length");
        long maxPosition = headDim >= 2 ? cos.Length / (headDim / 2) : 0;
        fixed (float* px = x, py = y, pc = cos, ps = sin)
        fixed (long* pp = pos)
        {
            var ctx = NativeKernels.Context(kernels);
            if (backward)
                NativeStatus.ThrowIfFailed(KernelMethods.RotaryBackward(ctx, px, py, rows, heads, headDim, pp, pc, ps, maxPosition, theta, layout));
            else
                NativeStatus.ThrowIfFailed(KernelMethods.RotaryForward(ctx, px, py, rows, heads, headDim, pp, pc, ps, maxPosition, theta, layout));
        }
    }

    /// <summary>W [N, K] from MatMulNBits int4 blocks b, scales [N·K/block] and optional packed zero points.</summary>
    public static void DequantInt4(ReadOnlySpan<byte> b, ReadOnlySpan<float> scales, ReadOnlySpan<byte> zeroPoints,
        int n, int k, int block, Span<float> w, KernelChoice kernels = KernelChoice.Auto)
    {
        CheckInt4(b, scales, n, k, block);
        NativeKernels.Need<float>(w, (long)n * k, nameof(w));
        fixed (byte* pb = b, pz = zeroPoints)
        fixed (float* ps = scales, pw = w)
            NativeStatus.ThrowIfFailed(KernelMethods.DequantInt4(NativeKernels.Context(kernels), pb, ps, pz, n, k, block, pw));
    }

    /// <summary>y [N] = W x for x [K] (fused dequantisation, decoding path).</summary>
    public static void MatVecInt4(ReadOnlySpan<float> x, ReadOnlySpan<byte> b, ReadOnlySpan<float> scales,
        ReadOnlySpan<byte> zeroPoints, int n, int k, int block, Span<float> y, KernelChoice kernels = KernelChoice.Auto)
    {
        CheckInt4(b, scales, n, k, block);
        NativeKernels.Need(x, k, nameof(x)); NativeKernels.Need<float>(y, n, nameof(y));
        fixed (byte* pb = b, pz = zeroPoints)
        fixed (float* px = x, ps = scales, py = y)
            NativeStatus.ThrowIfFailed(KernelMethods.MatVecInt4(NativeKernels.Context(kernels), px, pb, ps, pz, n, k, block, py));
    }

    /// <summary>y [M, N] = a [M, K] · Wᵀ (MatMulNBits semantics).</summary>
    public static void GemmInt4(ReadOnlySpan<float> a, ReadOnlySpan<byte> b, ReadOnlySpan<float> scales,
        ReadOnlySpan<byte> zeroPoints, int m, int n, int k, int block, Span<float> y, KernelChoice kernels = KernelChoice.Auto)
    {
        CheckInt4(b, scales, n, k, block);
        NativeKernels.Need(a, (long)m * k, nameof(a)); NativeKernels.Need<float>(y, (long)m * n, nameof(y));
        fixed (byte* pb = b, pz = zeroPoints)
        fixed (float* pa = a, ps = scales, py = y)
            NativeStatus.ThrowIfFailed(KernelMethods.GemmInt4(NativeKernels.Context(kernels), pa, pb, ps, pz, m, n, k, block, py));
    }

    private static void CheckInt4(ReadOnlySpan<byte> b, ReadOnlySpan<float> scales, int n, int k, int block)
    {
        // Lengths only when the shape is valid; invalid shapes are reported by the native status.
        if (n <= 0 || k <= 0 || block <= 0 || k % block != 0) return;
        NativeKernels.Need(b, (long)n * k / 2, "b"); NativeKernels.Need(scales, (long)n * (k / block), "scales");
    }
}
