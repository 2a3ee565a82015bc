// Managed mirrors of the enums of native/include/med42.h that production calls use (same numeric values;
// m42_rotary_layout is mirrored in tests/Med42.Ort.Native.TestSupport beside the rotary kernels' calls).
namespace Med42.Ort.Native;

/// <summary>m42_code: why a native call failed.</summary>
public enum NativeErrorCode
{
    Ok = 0,
    NullPointer = 1,
    InvalidArgument = 2,
    Misaligned = 3,
    Unsupported = 4,
    CudaError = 5,
    OutOfMemory = 6,
    Internal = 7,
}

/// <summary>m42_dtype: element type of CUDA buffers and of the AdamW low-precision copy.</summary>
public enum NativeDType { F32 = 0, F16 = 1, BF16 = 2 }

/// <summary>m42_kernels: which CPU implementation runs (Auto = vectorised).</summary>
public enum KernelChoice { Auto = 0, Reference = 1, Vectorised = 2 }
