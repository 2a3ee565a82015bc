// SafeHandles for the two opaque handle types of med42.h: m42_status (owned by the caller once
// returned; freed by m42_status_free) and m42_context (freed by m42_context_free).
using System.Runtime.InteropServices;

namespace Med42.Ort.Native.Interop;

/// <summary>An m42_status*; invalid (zero) means success.</summary>
internal sealed class StatusHandle : SafeHandle
{
    public StatusHandle() : base(nint.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == nint.Zero;
    protected override bool ReleaseHandle()
    {
        NativeMethods.StatusFree(handle);
        return true;
    }
}

/// <summary>An m42_context*, selecting the reference or vectorised CPU kernels.</summary>
internal sealed class ContextHandle : SafeHandle
{
    public ContextHandle() : base(nint.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == nint.Zero;
    protected override bool ReleaseHandle()
    {
        NativeMethods.ContextFree(handle);
        return true;
    }
}
