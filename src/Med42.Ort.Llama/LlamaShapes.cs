// Named Llama shapes, declared once for the benchmarks and the tests: llama2.c's stories15M and stories110M (as its
// checkpoints' headers give them: tied classifier, trained with 256 and 1024 positions), TinyLlama-1.1B and
// Llama-2-7B (as their Hugging Face config.json files give them). Weights are never implied: the benchmarks pair a
// shape with TinyLlama.Create's random weights.
namespace Med42.Ort.Llama;

public static class LlamaShapes
{
    /// <summary>llama2.c stories15M: C 288, F 768, L 6, H 6, V 32000, 256 positions, lm_head tied to the embedding.</summary>
    public static LlamaConfig Stories15M => new()
    {
        HiddenSize = 288, IntermediateSize = 768, NumHiddenLayers = 6, NumAttentionHeads = 6, NumKeyValueHeads = 6,
        VocabSize = 32000, MaxPositionEmbeddings = 256, TieWordEmbeddings = true,
    };

    /// <summary>llama2.c stories110M: C 768, F 2048, L 12, H 12, V 32000, 1024 positions, lm_head tied to the embedding.</summary>
    public static LlamaConfig Stories110M => new()
    {
        HiddenSize = 768, IntermediateSize = 2048, NumHiddenLayers = 12, NumAttentionHeads = 12, NumKeyValueHeads = 12,
        VocabSize = 32000, MaxPositionEmbeddings = 1024, TieWordEmbeddings = true,
    };

    /// <summary>TinyLlama-1.1B: C 2048, F 5632, L 22, H 32, Hkv 4, V 32000, 2048 positions, separate lm_head.</summary>
    public static LlamaConfig TinyLlama1_1B => new()
    {
        HiddenSize = 2048, IntermediateSize = 5632, NumHiddenLayers = 22, NumAttentionHeads = 32, NumKeyValueHeads = 4,
        VocabSize = 32000, MaxPositionEmbeddings = 2048,
    };

    /// <summary>Llama-2 7B as Meta released it (the shape recipes refer to): C 4096, F 11008, L 32, H 32, V 32000.</summary>
    public static LlamaConfig Llama2_7B => new()
    {
        HiddenSize = 4096, IntermediateSize = 11008, NumHiddenLayers = 32, NumAttentionHeads = 32,
        NumKeyValueHeads = 32, VocabSize = 32000, MaxPositionEmbeddings = 4096,
    };

    /// <summary>
    /// A stories shape as the scoring benchmark (bench eval) runs it: 1024 positions, because a MedQA question with
    /// its options runs past stories15M's 256, and a separate lm_head, as the Llama-2 models the study scores have.
    /// </summary>
    public static LlamaConfig ForScoring(LlamaConfig shape) => shape with { MaxPositionEmbeddings = 1024, TieWordEmbeddings = false };
}
