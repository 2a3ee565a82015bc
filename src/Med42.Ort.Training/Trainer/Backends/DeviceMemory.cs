// The memory a device-resident backend keeps its state in: ONNX Runtime's allocator for the device the sessions run
// on (OrtMemoryInfo "Cuda", device N, under the CUDA EP; the CPU allocator under the CPU EP — one code path), and
// copies between that memory and host arrays. A copy is an Identity graph run on the same execution provider with its
// input and output bound to the two buffers, so ORT's own data transfer moves the bytes (no CUDA calls of ours; a
// session's allocator and transfer are the supported way to reach device memory from C#).
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Optimizer;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Training.Trainer.Backends;

public sealed class DeviceMemory : IDisposable
{
    private readonly InferenceSession _copier;
    private readonly OrtMemoryInfo _info;
    private readonly bool _ownsInfo;
    private readonly OrtAllocator _allocator;
    private readonly RunOptions _run = new();

    public DeviceMemory(SessionSettings settings)
    {
        _copier = OptimizerSessions.Create(settings, OptimizerGraphs.Copy());
        _ownsInfo = settings.Device == Device.Cuda;
        _info = _ownsInfo
            ? new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, settings.CudaDeviceId, OrtMemType.Default)
            : OrtMemoryInfo.DefaultInstance;
        // The allocator lives as long as the copier session; every buffer it hands out is released before it.
        _allocator = new OrtAllocator(_copier, _info);
    }

    /// <summary>Where the buffers live ("Cuda" or "Cpu").</summary>
    public string Location => _info.Name;

    /// <summary>An uninitialised float32 tensor in device memory.</summary>
    public OrtValue Allocate(long[] shape) => OrtValue.CreateAllocatedTensorValue(_allocator, TensorElementType.Float, shape);

    public void Upload(float[] host, OrtValue device) => Copy(host, device, toDevice: true);

    public void Download(OrtValue device, float[] host) => Copy(host, device, toDevice: false);

    private void Copy(float[] host, OrtValue device, bool toDevice)
    {
        var shape = device.GetTensorTypeAndShape().Shape;
        using var staged = OrtValue.CreateTensorValueFromMemory(host, shape);
        using var binding = _copier.CreateIoBinding();
        binding.BindInput(OptimizerGraphs.CopyInput, toDevice ? staged : device);
        binding.BindOutput(OptimizerGraphs.CopyOutput, toDevice ? device : staged);
        _copier.RunWithBinding(_run, binding);
        binding.SynchronizeBoundOutputs();
    }

    public void Dispose()
    {
        _allocator.Dispose();
        if (_ownsInfo) _info.Dispose();
        _run.Dispose();
        _copier.Dispose();
    }
}
