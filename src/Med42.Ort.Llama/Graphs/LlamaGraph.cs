// The names every Llama graph builder shares: inputs and outputs as ONNX Runtime GenAI expects them
// (input_ids [B,T], attention_mask [B,S], position_ids [B,T], past_key_values.{i}.key|value [B,Hkv,P,D]
// → logits [B,T,V], present.{i}.key|value [B,Hkv,S,D]), the symbolic dims, and the node scopes
// (/model/layers.{i}/…) that gradient checkpointing groups by.
using System.Text.RegularExpressions;
using Med42.Ort.Graph.Ir;

namespace Med42.Ort.Llama.Graphs;

public static partial class LlamaGraph
{
    public const string Batch = "batch_size";
    public const string Sequence = "sequence_length";
    public const string Past = "past_sequence_length";
    public const string Total = Blocks.LlamaGraphDims.Total;   // declared beside the GQA block, which names its present

    public const string Scored = "scored_length";
    public const string ScorePositions = "score_positions";

    /// <summary>The segment id of the shared context in the scoring graph's rows (ScoringGraphBuilder.SharedContext).</summary>
    public const long SharedSegment = 1;

    public static string PastKey(int layer) => $"past_key_values.{layer}.key";
    public static string PastValue(int layer) => $"past_key_values.{layer}.value";
    public static string PresentKey(int layer) => $"present.{layer}.key";
    public static string PresentValue(int layer) => $"present.{layer}.value";

    /// <summary>
    /// Gradient checkpointing's grouping (GradientOptions.RecomputeGroup): a node under "/model/layers.{i}/" belongs
    /// to group "layers.{i}", so the backward pass recomputes each decoder layer's forward (--gradient-checkpointing).
    /// </summary>
    public static string? DecoderLayerOf(Node node) => LayerScope().Match(node.Name) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^/model/(layers\.\d+)/")]
    private static partial Regex LayerScope();
}
