// How a graph obtains a model weight: as an initializer streamed from a checkpoint (inference export),
// as a graph input (trainable parameters), or frozen — the blocks never know which.
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Blocks;

public interface IWeightBinder
{
    /// <summary>The weight in its checkpoint layout (linear weights [out, in]), in the graph's compute type.</summary>
    Value Get(GraphBuilder b, WeightSpec spec);

    /// <summary>A linear weight transposed to [in, out] for MatMul. Binders may store it pre-transposed.</summary>
    Value GetTransposed(GraphBuilder b, WeightSpec spec);
}
