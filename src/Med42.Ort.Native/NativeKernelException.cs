// A failed libmed42_native call: the status code and the native message ("m42_fn: what").
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Native;

public sealed class NativeKernelException : Med42Exception
{
    public NativeKernelException(NativeErrorCode code, string message)
        : base($"libmed42_native: {message} ({code})") => Code = code;

    public NativeErrorCode Code { get; }
}
