// The one status -> exception funnel: every StatusHandle returned by NativeMethods goes through
// ThrowIfFailed, which frees it and throws NativeKernelException (a Med42Exception) on failure.
using System.Runtime.InteropServices;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Native.Interop;

internal static class NativeStatus
{
    public static void ThrowIfFailed(StatusHandle status)
    {
        using (status)
        {
            if (status.IsInvalid) return;
            var raw = status.DangerousGetHandle();
            var code = NativeMethods.StatusCode(raw);
            var message = Marshal.PtrToStringUTF8(NativeMethods.StatusMessage(raw)) ?? "";
            throw new NativeKernelException(code, message);
        }
    }
}
