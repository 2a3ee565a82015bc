// Through llama.cpp (LLamaSharp): the Llama-2 tokenizer written into a GGUF
// tokenizes MANIFEST §2.2's reference strings (llama2.c test.c, from Meta's Python tokenizer) to the
// reference ids in llama.cpp; a LoRA fine-tune of stories260K (a few steps of the project's trainer,
// in process) merged and exported gives in llama.cpp the greedy text the project's own generator
// gives on the merged model.
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Export.Tests.GenAi;
using Med42.Ort.Export.Merge;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Trainer;
using Xunit.Abstractions;

namespace Med42.Ort.Export.Tests.Gguf;

public class GgufLlamaCppTests(ITestOutputHelper output)
{
    private static readonly LlamaConfig Tiny32000 = new()
    {
        HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 2, VocabSize = 32000, MaxPositionEmbeddings = 64,
    };

    [SkippableFact]
    public void Llama2TokenizerInGgufGivesReferenceIdsInLlamaCpp()
    {
        var spPath = SharedData.Path("tokenizers/llama2/tokenizer.model");
        using var dir = new TempDir();
        var path = GgufLlamaExport.Export(dir.File("tiny.gguf"), Tiny32000, TinyLlama.Create(Tiny32000, seed: 1),
            GgufVocabulary.Find(dir.File("none.bin"), spPath, Tiny32000), new GgufExportOptions());
        using var cpp = LlamaCpp.LoadVocabulary(path);
        foreach (var (text, ids) in Llama2TokenizerTests.ReferenceEncodings())
            Assert.Equal(ids, cpp.Tokenize(text));
    }

    [SkippableFact]
    public void LoraFineTuneMergedAndExportedGeneratesOurGreedyTextInLlamaCpp()
    {
        using var d = new TempDir();
        var run = Trainer.Run(new TrainOptions
        {
            Model = Stories260K.ModelPath,
            Tokenizer = Stories260K.TokenizerPath,
            Data = [StorySamples.WriteJsonl(d)],
            Out = d.File("run"),
            Mode = TrainingMode.Lora,
            Lora = new LoraConfig { Rank = 8, Alpha = 16, Dropout = 0.0, Targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] },
            MaxSteps = 10,
            Lr = 1e-2,
            BatchSize = 8,
            SeqLen = 64,
            SystemPrompt = "Tell a story.",
            Packing = false,
            Schedule = ScheduleKind.Constant,
            Threads = 2,
            Seed = 1,
        });
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        var c = ckpt.Config;
        using var adapter = PeftAdapter.Read(run.OutputFolder, c);
        using var merged = new MergedTensorStore(c, ckpt.Weights, adapter.Config, adapter.Tensors);
        var path = GgufLlamaExport.Export(d.File("merged.gguf"), c, merged, GgufVocabulary.Find(Stories260K.ModelPath, null, c), new GgufExportOptions());

        var tokenizer = TokenizerLoader.Load(Stories260K.TokenizerPath);
        var prompt = tokenizer.Encode($"\n<|system|>: Tell a story.\n<|prompter|>:Story 0\n<|assistant|>:\n");
        const int steps = 80;
        using var session = GgufF32Tests.OwnSession(c, merged);
        var ours = Stories260K.Greedy(session, prompt, steps);
        using var baseSession = GgufF32Tests.OwnSession(c, ckpt.Weights);
        Assert.NotEqual(Stories260K.Greedy(baseSession, prompt, steps), ours); // the adapter changes the answer

        using var cpp = LlamaCpp.Load(path);
        Assert.Equal(prompt, cpp.Tokenize($"\n<|system|>: Tell a story.\n<|prompter|>:Story 0\n<|assistant|>:\n"));
        var theirs = cpp.Greedy(prompt, steps, stopId: 1);
        output.WriteLine($"loss {run.LossHistory[0]:F3} → {run.FinalLoss:F3}; llama.cpp answer: {cpp.Detokenize(theirs)[Stories260K.Print(tokenizer, prompt).Length..]}");
        Assert.Equal(ours, theirs);
        Assert.Equal(Stories260K.Print(tokenizer, ours), cpp.Detokenize(theirs));
    }
}
