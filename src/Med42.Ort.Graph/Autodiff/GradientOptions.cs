// Options of Differentiator.Gradients.
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff;

public sealed record GradientOptions
{
    /// <summary>d loss, when the loss is not a scalar (or to scale it); default: a constant 1 of the loss's type and shape.</summary>
    public Value? Seed { get; init; }

    /// <summary>Name of the scope the gradient nodes are emitted under ("/grad/…").</summary>
    public string ScopeName { get; init; } = "grad";

    /// <summary>
    /// Gradient checkpointing: forward nodes mapped to the same non-null group are cloned into the backward
    /// pass (once per group, when the backward first reaches it), and the group's gradient rules read the
    /// clones' values instead of the forward activations. Null: keep every activation. The grouping belongs to
    /// whoever named the nodes (the Llama builders group by decoder layer: LlamaGraph.DecoderLayerOf).
    /// </summary>
    public Func<Node, string?>? RecomputeGroup { get; init; }
}
