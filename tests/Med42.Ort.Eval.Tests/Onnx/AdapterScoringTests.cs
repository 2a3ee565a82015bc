// Base + LoRA adapter applied on the fly (PeftAdapter + LoraLinear inside the scoring graphs) against the
// naive path over weights merged in C# (LoraWeights.Merge: W + (α/r)·B·A in float64): same numbers.
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests.Onnx;

public class AdapterScoringTests
{
    [SkippableFact]
    public void OnTheFlyAdapterMatchesMergedWeights()
    {
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path("models/stories260K/stories260K.bin"));
        var tokenizer = TokenizerLoader.Load(SharedData.Path("models/stories260K/tok512.model"), ckpt.Config.VocabSize);
        var lora = new LoraConfig { Rank = 4, Alpha = 8, Targets = ["q_proj", "v_proj", "down_proj"] };
        // Random A and B (PEFT initialises B = 0, which would make the adapter a no-op and the test vacuous).
        var adapter = new InMemoryTensorStore("adapter");
        var rng = new SplitMix64(11);
        foreach (var spec in LoraWeights.For(ckpt.Config, lora))
            adapter.AddFloat(spec.Name, spec.Shape, Enumerable.Range(0, (int)spec.ElementCount).Select(_ => (float)(0.2 * rng.NextNormal())).ToArray());

        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("adapter"));
        File.WriteAllText(dir.File("adapter/adapter_config.json"),
            """{"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "v_proj", "down_proj"], "fan_in_fan_out": false}""");
        SafetensorsWriter.Write(dir.File("adapter/adapter_model.safetensors"), adapter);

        var (requests, docs) = DevRequests.Build(tokenizer, ckpt.Config.MaxPositionEmbeddings, perTask: 1);
        var settings = new SessionSettings { Threads = 1 };
        var merged = LoraWeights.Merge(ckpt.Config, ckpt.Weights, lora, adapter);
        using var naive = NaiveModelScorer.Create(ckpt.Config, merged, settings);
        var expected = naive.Score(requests);

        using var peft = PeftAdapter.Read(dir.File("adapter"), ckpt.Config);
        using var graphs = ScoringGraphs.Create(ckpt.Config, new OverlayTensorStore(ckpt.Weights, peft.Tensors), settings, peft.Linear(ckpt.Config));
        using var fast = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = 8 });
        FastVsNaiveTests.AssertSameScores(requests, docs, expected, fast.Score(requests));

        // The adapter must change the scores, or the comparison above proves nothing about it.
        using var plain = NaiveModelScorer.Create(ckpt.Config, ckpt.Weights, settings);
        var baseScores = plain.Score(requests.Take(4).ToArray());
        var maxChange = Enumerable.Range(0, 4).Max(i => Math.Abs(baseScores[i].LogLikelihood - expected[i].LogLikelihood));
        Assert.True(maxChange > 1e-2, $"adapter changed log-likelihoods by at most {maxChange}");
    }

    [Fact]
    public void MissingAdapterConfigNamesTheFile()
    {
        using var dir = new TempDir();
        var config = new LlamaConfig { HiddenSize = 8, IntermediateSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 2, VocabSize = 16 };
        var e = Assert.Throws<Core.Errors.Med42Exception>(() => PeftAdapter.Read(dir.Path, config));
        Assert.Contains("adapter_config.json", e.Message);
    }
}
