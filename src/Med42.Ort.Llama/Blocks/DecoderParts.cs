// What every block of one decoder graph shares, fixed by the graph builder before the first block is built.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

/// <param name="Linear">The projections' linear (plain, LoRA, int4).</param>
/// <param name="Weights">Binds each weight as an initializer or a graph input, in <paramref name="Precision"/>'s compute type.</param>
/// <param name="Kernels">RMSNorm and rotary: ONNX composites or ai.med42 custom ops.</param>
public sealed record DecoderParts(LlamaConfig Config, Precision Precision, ILinearFactory Linear, IWeightBinder Weights, INormKernels Kernels);

/// <summary>Per-layer past or present key and value, [B,Hkv,P,D] / [B,Hkv,S,D].</summary>
public readonly record struct KeyValue(Value Key, Value Value);
