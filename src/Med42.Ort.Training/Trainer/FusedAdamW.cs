// The trainer's optimizer step: libmed42_native's fused AdamW (m42_adamw_step, the PyTorch torch.optim.AdamW
// update computed in double per element) when the native library is present, else the C# AdamW (AdamW.cs);
// FallbackReason says why, for the caller to tell the user. Both implement the same formula; NativeAdamWTests checks they agree.
using Med42.Ort.Native;

namespace Med42.Ort.Training.Trainer;

public static class FusedAdamW
{
    /// <summary>True when steps run on libmed42_native's fused AdamW (probed once, on first use).</summary>
    public static bool UsesNative => NativeKernels.IsAvailable;

    /// <summary>Why steps run on the C# AdamW instead (null when they run on the native one).</summary>
    public static string? FallbackReason =>
        UsesNative ? null : $"native fused AdamW unavailable ({NativeKernels.UnavailableReason}); using the C# AdamW";

    /// <summary>Elements per parallel slice: large enough that a slice's call costs nothing next to its memory traffic.</summary>
    public const int SliceLength = 1 << 18;

    /// <summary>
    /// One AdamW step in place over whole arrays, in slices run in parallel: the update is elementwise, so the result is
    /// bitwise the same as one sequential call, and a 110M-parameter step is memory-bound work worth every core.
    /// </summary>
    public static void Step(float[] p, float[] g, float[] m, float[] v, double lr, int t, AdamWOptions o, bool decay)
    {
        var slices = (p.Length + SliceLength - 1) / SliceLength;
        if (slices <= 1)
        {
            Step(p.AsSpan(), g, m, v, lr, t, o, decay);
            return;
        }
        Parallel.For(0, slices, s =>
        {
            var start = s * SliceLength;
            var length = Math.Min(SliceLength, p.Length - start);
            Step(p.AsSpan(start, length), g.AsSpan(start, length), m.AsSpan(start, length), v.AsSpan(start, length), lr, t, o, decay);
        });
    }

    /// <summary>One AdamW step in place (step <paramref name="t"/> counts from 1; no weight decay when <paramref name="decay"/> is false).</summary>
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, double lr, int t, AdamWOptions o, bool decay)
    {
        if (!UsesNative)
        {
            AdamW.Step(p, g, m, v, lr, t, o, decay);
            return;
        }
        NativeKernels.AdamWStep(p, g, m, v, (float)lr, (float)o.Beta1, (float)o.Beta2, (float)o.Epsilon,
            decay ? (float)o.WeightDecay : 0f, t);
    }
}
