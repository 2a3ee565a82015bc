// Managed mirror of m42_rotary_layout (native/include/med42.h), the layout argument of the rotary kernels' calls.
namespace Med42.Ort.Native.TestSupport;

/// <summary>Half = HF rotate_half; Interleaved = llama2.c / Meta pairs.</summary>
public enum RotaryLayout { Half = 0, Interleaved = 1 }
