// The architecture of a Llama-2 model, as Hugging Face's LlamaConfig names it.
// Letters used in shape comments across the project: B batch, T time, P past length, S = P + T,
// H heads, Hkv kv heads, D head dim, C model dim, F ffn dim, V vocab, L layers.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Llama;

public sealed record LlamaConfig
{
    public required int HiddenSize { get; init; }           // C
    public required int IntermediateSize { get; init; }     // F
    public required int NumHiddenLayers { get; init; }      // L
    public required int NumAttentionHeads { get; init; }    // H
    public required int NumKeyValueHeads { get; init; }     // Hkv
    public required int VocabSize { get; init; }            // V
    public double RmsNormEps { get; init; } = 1e-5;
    public double RopeTheta { get; init; } = 10000.0;
    public int MaxPositionEmbeddings { get; init; } = 4096;
    public bool TieWordEmbeddings { get; init; }
    public int BosTokenId { get; init; } = 1;
    public int EosTokenId { get; init; } = 2;
    public int? PadTokenId { get; init; }

    public int HeadDim => HiddenSize / NumAttentionHeads;  // D
    public int KvDim => HeadDim * NumKeyValueHeads;
    public int GroupSize => NumAttentionHeads / NumKeyValueHeads;

    /// <summary>Throws naming the field when the shape is inconsistent.</summary>
    public LlamaConfig Validate(string source = "config")
    {
        void Positive(string field, long value)
        {
            if (value <= 0) throw new Med42Exception($"{source}: '{field}' must be positive, got {value}");
        }
        Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("num_key_value_heads", NumKeyValueHeads);
        Positive("vocab_size", VocabSize);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        if (HiddenSize % NumAttentionHeads != 0)
            throw new Med42Exception($"{source}: 'hidden_size' {HiddenSize} is not divisible by num_attention_heads {NumAttentionHeads}");
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new Med42Exception($"{source}: 'num_attention_heads' {NumAttentionHeads} is not divisible by num_key_value_heads {NumKeyValueHeads}");
        if (HeadDim % 2 != 0)
            throw new Med42Exception($"{source}: 'hidden_size' / 'num_attention_heads' = head dimension {HeadDim} must be even for rotary embeddings");
        if (!(RmsNormEps > 0) || !double.IsFinite(RmsNormEps)) throw new Med42Exception($"{source}: 'rms_norm_eps' must be finite and positive, got {RmsNormEps}");
        if (!(RopeTheta > 0) || !double.IsFinite(RopeTheta)) throw new Med42Exception($"{source}: 'rope_theta' must be finite and positive, got {RopeTheta}");
        return this;
    }
}
