// y = x·Wᵀ as one com.microsoft FusedMatMul(transB) against the weight as stored ([out, in]): no transposed
// copy is written or built. Training graphs use it for a frozen LM head: with tied embeddings the table is also
// read by the embedding Gather, so PlainLinear's [in, out] copy would store (and map) the 32000×C table twice.
// Its input gradient is again a FusedMatMul reading W in place (FusedMatMulGrad). CPU float32, CUDA float/float16.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public sealed class TransBLinear : ILinearFactory
{
    public static readonly TransBLinear Instance = new();

    public Value Build(GraphBuilder b, Value x, WeightSpec spec, IWeightBinder weights) =>
        b.FusedMatMul(x, weights.Get(b, spec), 1.0, transA: false, transB: true);
}
