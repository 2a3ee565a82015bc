// Managed API over the libmed42_native entry points production calls directly: the library probe and the fused
// AdamW step the trainer runs on host spans. Callers use it behind IsAvailable: when the library is absent (or has
// another API version) they fall back to managed code and tell their user why through UnavailableReason (this
// library never prints). The RMSNorm, rotary and int4 kernels run inside libmed42_ort_ops (the ai.med42 ONNX Runtime
// custom ops); tests call them directly through tests/Med42.Ort.Native.TestSupport.
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

    /// <summary>Throws when <paramref name="span"/> is shorter than the native call will read or write.</summary>
    internal static void Need<T>(ReadOnlySpan<T> span, long count, string name)
    {
        if (count > 0 && span.Length < count) throw new ArgumentException($"{name} has {span.Length} elements, needs {count}", name);
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
