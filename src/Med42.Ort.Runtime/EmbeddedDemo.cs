// The model `med42 generate` runs with no --model: a tiny random Llama and a BPE tokenizer trained on
// a few sentences, both built in memory (no downloads). Its text is gibberish; it shows the pipeline.
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Runtime;

public static class EmbeddedDemo
{
    private static readonly string[] Corpus =
    [
        "Thiamine deficiency causes Wernicke encephalopathy.",
        "Metformin is a biguanide used as first-line therapy for type 2 diabetes.",
        "Streptococcus pneumoniae is the most common cause of community-acquired pneumonia.",
        "Naloxone reverses opioid overdose.",
    ];

    public static LoadedModel Create()
    {
        var spm = BpeTrainer.Train(Corpus, new BpeTrainerOptions { VocabSize = 300 });
        var dir = Directory.CreateTempSubdirectory("med42-demo-").FullName;
        try
        {
            HfTokenizerJson.Write(spm, dir);
            var tokenizer = TokenizerLoader.Load(Path.Combine(dir, HfTokenizerJson.TokenizerFile));
            var config = new LlamaConfig
            {
                HiddenSize = 64, IntermediateSize = 172, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
                VocabSize = tokenizer.VocabSize, MaxPositionEmbeddings = 512, TieWordEmbeddings = true,
            };
            return new LoadedModel { Config = config, Weights = TinyLlama.Create(config, seed: 42), Tokenizer = tokenizer, Source = "embedded demo (random weights)" };
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
