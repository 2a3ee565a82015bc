// Options of Differentiator.Gradients.
using System.Text.RegularExpressions;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Graph.Autodiff;

public sealed partial record GradientOptions
{
    /// <summary>d loss, when the loss is not a scalar (or to scale it); default: a constant 1 of the loss's type and shape.</summary>
    public Value? Seed { get; init; }

    /// <summary>Name of the scope the gradient nodes are emitted under ("/grad/…").</summary>
    public string ScopeName { get; init; } = "grad";

    /// <summary>
    /// Gradient checkpointing: forward nodes mapped to the same non-null group are cloned into the backward
    /// pass (once per group, when the backward first reaches it), and the group's gradient rules read the
    /// clones' values instead of the forward activations. Null: keep every activation.
    /// </summary>
    public Func<Node, string?>? RecomputeGroup { get; init; }

    /// <summary>Recomputes each decoder layer ("/model/layers.{i}/…") in the backward pass (--gradient-checkpointing).</summary>
    public static string? DecoderLayer(Node node) => LayerScope().Match(node.Name) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^/model/(layers\.\d+)/")]
    private static partial Regex LayerScope();
}
