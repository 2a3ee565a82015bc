// Bad calls into libmed42_native return statuses that surface as NativeKernelException with the
// right code — never a crash: null pointers, zero/negative sizes, K not divisible by the block,
// misaligned buffers, out-of-range positions, unknown enums, and CUDA calls in a CPU-only build.
using Med42.Ort.Core.Errors;
using Med42.Ort.Native;
using Med42.Ort.Native.Interop;
using Med42.Ort.Native.TestSupport;

namespace Med42.Ort.Native.Tests;

public unsafe class BadCallTests
{
    private static ContextHandle Ctx => NativeKernels.Context(KernelChoice.Auto);

    private static NativeKernelException Fails(NativeErrorCode code, Action call, string? messagePart = null)
    {
        NativeRequired.Check();
        var e = Assert.Throws<NativeKernelException>(call);
        Assert.Equal(code, e.Code);
        Assert.IsAssignableFrom<Med42Exception>(e);
        if (messagePart is not null) Assert.Contains(messagePart, e.Message);
        return e;
    }

    [SkippableFact]
    public void NullPointersAreReported()
    {
        var w = new float[8];
        var y = new float[8];
        var inv = new float[1];
        Fails(NativeErrorCode.NullPointer, () =>
        {
            fixed (float* pw = w, py = y, pi = inv)
                NativeStatus.ThrowIfFailed(KernelMethods.RmsNormForward(Ctx, null, null, pw, 1, 8, 1e-5f, py, pi));
        }, "x is null");
        Fails(NativeErrorCode.NullPointer, () =>
        {
            fixed (float* py = y)
                NativeStatus.ThrowIfFailed(KernelMethods.DequantInt4(Ctx, null, py, null, 1, 16, 16, py));
        }, "b is null");
        Fails(NativeErrorCode.NullPointer, () =>
        {
            long pos = 0;
            fixed (float* py = y)
                NativeStatus.ThrowIfFailed(KernelMethods.RotaryForward(Ctx, py, py, 1, 1, 4, &pos, py, null, 4, 0f, RotaryLayout.Half));
        }, "cos_cache and sin_cache");
        Fails(NativeErrorCode.NullPointer, () =>
        {
            fixed (float* p = y)
                NativeStatus.ThrowIfFailed(NativeMethods.AdamWStep(Ctx, p, p, null, p, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1, NativeDType.F32, null));
        }, "m is null");
    }

    [SkippableFact]
    public void NullContextIsReported()
    {
        NativeRequired.Check();
        using var nullCtx = new ContextHandle();  // invalid (zero) handle marshals as NULL
        var x = new float[4];
        Fails(NativeErrorCode.NullPointer, () =>
        {
            fixed (float* p = x)
                NativeStatus.ThrowIfFailed(KernelMethods.RmsNormForward(nullCtx, p, null, p, 1, 4, 1e-5f, p, p));
        }, "ctx is null");
    }

    [SkippableTheory]
    [InlineData(0, 8)]
    [InlineData(2, 0)]
    [InlineData(-1, 8)]
    [InlineData(2, -4)]
    public void ZeroOrNegativeSizesAreReported(int rows, int c)
    {
        Fails(NativeErrorCode.InvalidArgument, () =>
            CpuKernelCalls.RmsNormForward(new float[16], new float[8], rows, c, 1e-5f, new float[16], new float[2]), "must be > 0");
        Fails(NativeErrorCode.InvalidArgument, () =>
            CpuKernelCalls.RotaryForward(new float[16], new float[16], rows, 1, c, new long[2], default, default, 1e4f, RotaryLayout.Half), "must be > 0");
        Fails(NativeErrorCode.InvalidArgument, () =>
            CpuKernelCalls.GemmInt4(new float[64], new byte[64], new float[8], default, rows, 2, c == 8 ? 32 : c, 32, new float[8]));
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(-3)]
    public void AdamWWithZeroOrNegativeCountIsReported(long n)
    {
        var buffer = new float[4];
        Fails(NativeErrorCode.InvalidArgument, () =>
        {
            fixed (float* p = buffer)
                NativeStatus.ThrowIfFailed(NativeMethods.AdamWStep(Ctx, p, p, p, p, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1, NativeDType.F32, null));
        }, "n must be > 0");
        // an empty span has no storage: the pointer is null, reported before the size
        Fails(NativeErrorCode.NullPointer, () =>
            NativeKernels.AdamWStep(Span<float>.Empty, default, default, default, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1));
    }

    [SkippableTheory]
    [InlineData(40, 32)]
    [InlineData(48, 32)]
    [InlineData(100, 64)]
    public void KNotDivisibleByBlockIsReported(int k, int block)
    {
        var e = Fails(NativeErrorCode.InvalidArgument, () =>
            CpuKernelCalls.DequantInt4(new byte[256], new float[16], default, 1, k, block, new float[k]));
        Assert.Contains($"K ({k}) is not divisible by block ({block})", e.Message);
        Fails(NativeErrorCode.InvalidArgument, () =>
            CpuKernelCalls.MatVecInt4(new float[k], new byte[256], new float[16], default, 1, k, block, new float[1]), "not divisible");
    }

    [SkippableFact]
    public void UnsupportedBlockSizeIsReported() =>
        Fails(NativeErrorCode.InvalidArgument, () =>
            CpuKernelCalls.DequantInt4(new byte[64], new float[8], default, 1, 48, 24, new float[48]), "block must be 16, 32, 64 or 128");

    [SkippableFact]
    public void MisalignedBuffersAreReported()
    {
        var buffer = new float[64];
        fixed (float* p = buffer)
        {
            var mis = (float*)((byte*)p + 1);
            var ptr = (nint)mis;
            var basePtr = (nint)p;
            Fails(NativeErrorCode.Misaligned, () =>
                NativeStatus.ThrowIfFailed(KernelMethods.RmsNormForward(Ctx, (float*)ptr, null, (float*)basePtr, 2, 8, 1e-5f, (float*)basePtr + 16, (float*)basePtr + 40)),
                "x is not 4-byte aligned");
            Fails(NativeErrorCode.Misaligned, () =>
            {
                var pos = stackalloc long[2];
                var misPos = (long*)((byte*)pos + 4);
                NativeStatus.ThrowIfFailed(KernelMethods.RotaryForward(Ctx, (float*)basePtr, (float*)basePtr, 1, 1, 4, misPos, null, null, 0, 1e4f, RotaryLayout.Half));
            }, "position_ids is not 8-byte aligned");
            Fails(NativeErrorCode.Misaligned, () =>
                NativeStatus.ThrowIfFailed(NativeMethods.AdamWStep(Ctx, (float*)basePtr, (float*)basePtr, (float*)basePtr, (float*)basePtr, 4,
                    1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1, NativeDType.F16, (byte*)basePtr + 1)), "copy_out is not 2-byte aligned");
        }
    }

    [SkippableFact]
    public void PositionOutsideTheCacheIsReported()
    {
        var (cos, sin) = TestData.Caches(4, 4, 10000);
        Fails(NativeErrorCode.InvalidArgument, () =>
            CpuKernelCalls.RotaryForward(new float[8], new float[8], 2, 1, 4, [0, 4], cos, sin, 0f, RotaryLayout.Half), "position_ids[1] = 4");
    }

    [SkippableFact]
    public void UnknownEnumsAreReported()
    {
        Fails(NativeErrorCode.InvalidArgument, () =>
            CpuKernelCalls.RotaryForward(new float[4], new float[4], 1, 1, 4, [0], default, default, 1e4f, (RotaryLayout)5), "unknown layout");
        Fails(NativeErrorCode.InvalidArgument, () =>
        {
            NativeStatus.ThrowIfFailed(NativeMethods.ContextCreate((KernelChoice)9, out var ctx));
            ctx.Dispose();
        }, "unknown kernels");
    }

    [SkippableFact]
    public void CudaCallsInACpuBuildReportUnsupported()
    {
        NativeRequired.Check();
        Skip.If(NativeKernels.IsCudaAvailable, "this library has CUDA");
        var x = new float[16];
        fixed (float* p = x)
        {
            var ptr = (nint)p;
            Fails(NativeErrorCode.Unsupported, () => CudaKernelCalls.RmsNormForward(0, NativeDType.F32, ptr, 0, ptr, 1, 16, 1e-5f, ptr, ptr), "no CUDA");
            // validation still runs first: a bad call reports its own error, not "unsupported"
            Fails(NativeErrorCode.InvalidArgument, () => CudaKernelCalls.DequantInt4(0, NativeDType.F16, ptr, ptr, 0, 1, 40, 32, ptr), "not divisible");
        }
    }

    [Fact]
    public void ManagedLengthChecksRunBeforeNativeCalls() =>
        Assert.Throws<ArgumentException>(() =>
            CpuKernelCalls.RmsNormForward(new float[4], new float[4], 2, 4, 1e-5f, new float[8], new float[2]));
}
