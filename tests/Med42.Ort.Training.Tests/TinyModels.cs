// Small random Llama configs for graph-level training tests.
using Med42.Ort.Llama;

namespace Med42.Ort.Training.Tests;

public static class TinyModels
{
    public static LlamaConfig Config(int vocab = 259, bool tied = false) => new()
    {
        HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = vocab, MaxPositionEmbeddings = 64, TieWordEmbeddings = tied,
    };
}
