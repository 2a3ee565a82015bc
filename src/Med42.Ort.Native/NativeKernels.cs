// Managed API over libmed42_native's CPU kernels, on spans. Everything else in Med42.Ort uses these
// behind IsAvailable: when the library is absent (or has another API version) callers fall back to
// managed or ONNX-op code and tell their user why through UnavailableReason (this library never prints). Shapes: x [rows, C]; rotary x [rows, H, D];
// int4 weights W [N, K] in ONNX Runtime's MatMulNBits layout (see native/include/med42.h).
using Med42.Ort.Native.Interop;

namespace Med42.Ort.Native;

public static unsafe class NativeKernels
{
    private static readonly Lazy<string?> LoadError = new(Probe);
    private static readonly Lazy<ContextHandle>[] Contexts =
    [
        new(() => CreateContext(KernelChoice.Auto)),
        new(() => CreateContext(KernelChoice.Reference)),
        new(() => CreateContext(KernelChoice.Vectorised)),
    ];

    /// <summary>True when libmed42_native loaded and reports the expected API version.</summary>
    public static bool IsAvailable => LoadError.Value is null;

    /// <summary>Why the native kernels are unavailable (null when available).</summary>
    public static string? UnavailableReason => LoadError.Value;

    /// <summary>True when the library was built with CUDA and sees a device.</summary>
    public static bool IsCudaAvailable => IsAvailable && NativeMethods.CudaAvailable() == 1;

    /// <summary>The native API version (throws when the library is absent).</summary>
    public static int ApiVersion { get { EnsureAvailable(); return NativeMethods.ApiVersion(); } }

    private static string? Probe()
    {
        try
        {
            var version = NativeMethods.ApiVersion();
            return version == NativeMethods.ExpectedApiVersion
                ? null
                : $"libmed42_native has API version {version}, expected {NativeMethods.ExpectedApiVersion}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return $"libmed42_native not found ({e.GetType().Name})";
        }
    }

    private static void EnsureAvailable()
    {
        if (!IsAvailable) throw new InvalidOperationException("native kernels unavailable: " + UnavailableReason);
    }

    private static ContextHandle CreateContext(KernelChoice choice)
    {
        NativeStatus.ThrowIfFailed(NativeMethods.ContextCreate(choice, out var ctx));
        return ctx;
    }

    internal static ContextHandle Context(KernelChoice choice)
    {
        EnsureAvailable();
        if ((int)choice < 0 || (int)choice >= Contexts.Length) throw new ArgumentOutOfRangeException(nameof(choice));
        return Contexts[(int)choice].Value;
    }

    private static void Need<T>(ReadOnlySpan<T> span, long count, string name)
    {
        if (count > 0 && span.Length < count) throw new ArgumentException($"{name} has {span.Length} elements, needs {count}", name);
    }

    /// <summary>y = x / sqrt(mean(x²) + eps) · w per row; invRms [rows]. With residual: residual += x, then the sum is normalised.</summary>
    public static void RmsNormForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int rows, int c, float eps,
        Span<float> y, Span<float> invRms, Span<float> residual = default, KernelChoice kernels = KernelChoice.Auto)
    {
        long n = (long)rows * c;
        Need(x, n, nameof(x)); Need(w, c, nameof(w)); Need<float>(y, n, nameof(y)); Need<float>(invRms, rows, nameof(invRms));
        if (!residual.IsEmpty) Need<float>(residual, n, nameof(residual));
        fixed (float* px = x, pw = w, py = y, pi = invRms, pr = residual)
            NativeStatus.ThrowIfFailed(NativeMethods.RmsNormForward(Context(kernels), px, pr, pw, rows, c, eps, py, pi));
    }

    /// <summary>dx [rows, C] and dw [C] (overwritten, rows reduced in a fixed order) from dy, x, w, invRms.</summary>
    public static void RmsNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> invRms, int rows, int c, Span<float> dx, Span<float> dw, KernelChoice kernels = KernelChoice.Auto)
    {
        long n = (long)rows * c;
        Need(dy, n, nameof(dy)); Need(x, n, nameof(x)); Need(w, c, nameof(w)); Need(invRms, rows, nameof(invRms));
        Need<float>(dx, n, nameof(dx)); Need<float>(dw, c, nameof(dw));
        fixed (float* pdy = dy, px = x, pw = w, pi = invRms, pdx = dx, pdw = dw)
            NativeStatus.ThrowIfFailed(NativeMethods.RmsNormBackward(Context(kernels), pdy, px, pw, pi, rows, c, pdx, pdw));
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
        Need(x, n, "x"); Need<float>(y, n, "y"); Need(pos, rows, "positionIds");
        if (cos.Length != sin.Length) throw new ArgumentException("cosCache and sinCache differ in length");
        long maxPosition = headDim >= 2 ? cos.Length / (headDim / 2) : 0;
        fixed (float* px = x, py = y, pc = cos, ps = sin)
        fixed (long* pp = pos)
        {
            var ctx = Context(kernels);
            if (backward)
                NativeStatus.ThrowIfFailed(NativeMethods.RotaryBackward(ctx, px, py, rows, heads, headDim, pp, pc, ps, maxPosition, theta, layout));
            else
                NativeStatus.ThrowIfFailed(NativeMethods.RotaryForward(ctx, px, py, rows, heads, headDim, pp, pc, ps, maxPosition, theta, layout));
        }
    }

    /// <summary>W [N, K] from MatMulNBits int4 blocks b, scales [N·K/block] and optional packed zero points.</summary>
    public static void DequantInt4(ReadOnlySpan<byte> b, ReadOnlySpan<float> scales, ReadOnlySpan<byte> zeroPoints,
        int n, int k, int block, Span<float> w, KernelChoice kernels = KernelChoice.Auto)
    {
        CheckInt4(b, scales, n, k, block);
        Need<float>(w, (long)n * k, nameof(w));
        fixed (byte* pb = b, pz = zeroPoints)
        fixed (float* ps = scales, pw = w)
            NativeStatus.ThrowIfFailed(NativeMethods.DequantInt4(Context(kernels), pb, ps, pz, n, k, block, pw));
    }

    /// <summary>y [N] = W x for x [K] (fused dequantisation, decoding path).</summary>
    public static void MatVecInt4(ReadOnlySpan<float> x, ReadOnlySpan<byte> b, ReadOnlySpan<float> scales,
        ReadOnlySpan<byte> zeroPoints, int n, int k, int block, Span<float> y, KernelChoice kernels = KernelChoice.Auto)
    {
        CheckInt4(b, scales, n, k, block);
        Need(x, k, nameof(x)); Need<float>(y, n, nameof(y));
        fixed (byte* pb = b, pz = zeroPoints)
        fixed (float* px = x, ps = scales, py = y)
            NativeStatus.ThrowIfFailed(NativeMethods.MatVecInt4(Context(kernels), px, pb, ps, pz, n, k, block, py));
    }

    /// <summary>y [M, N] = a [M, K] · Wᵀ (MatMulNBits semantics).</summary>
    public static void GemmInt4(ReadOnlySpan<float> a, ReadOnlySpan<byte> b, ReadOnlySpan<float> scales,
        ReadOnlySpan<byte> zeroPoints, int m, int n, int k, int block, Span<float> y, KernelChoice kernels = KernelChoice.Auto)
    {
        CheckInt4(b, scales, n, k, block);
        Need(a, (long)m * k, nameof(a)); Need<float>(y, (long)m * n, nameof(y));
        fixed (byte* pb = b, pz = zeroPoints)
        fixed (float* pa = a, ps = scales, py = y)
            NativeStatus.ThrowIfFailed(NativeMethods.GemmInt4(Context(kernels), pa, pb, ps, pz, m, n, k, block, py));
    }

    private static void CheckInt4(ReadOnlySpan<byte> b, ReadOnlySpan<float> scales, int n, int k, int block)
    {
        // Lengths only when the shape is valid; invalid shapes are reported by the native status.
        if (n <= 0 || k <= 0 || block <= 0 || k % block != 0) return;
        Need(b, (long)n * k / 2, "b"); Need(scales, (long)n * (k / block), "scales");
    }

    /// <summary>One AdamW step (PyTorch semantics) in place on fp32 param/m/v; optional fp16/bf16 copy (ushort bits).</summary>
    public static void AdamWStep(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float lr,
        float beta1, float beta2, float eps, float weightDecay, long step, Span<ushort> copyOut = default,
        NativeDType copyDType = NativeDType.BF16, KernelChoice kernels = KernelChoice.Auto)
    {
        int n = param.Length;
        Need(grad, n, nameof(grad)); Need<float>(m, n, nameof(m)); Need<float>(v, n, nameof(v));
        if (!copyOut.IsEmpty) Need<ushort>(copyOut, n, nameof(copyOut));
        fixed (float* pp = param, pg = grad, pm = m, pv = v)
        fixed (ushort* pc = copyOut)
            NativeStatus.ThrowIfFailed(NativeMethods.AdamWStep(Context(kernels), pp, pg, pm, pv, n, lr, beta1, beta2, eps,
                weightDecay, step, pc == null ? NativeDType.F32 : copyDType, pc));
    }
}
