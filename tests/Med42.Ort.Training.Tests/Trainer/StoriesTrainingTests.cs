// End-to-end training of stories260K (../shared/data) through Trainer.Run: full mode memorises 8 fixed
// samples (loss < 0.05, which only memorising them reaches), LoRA lowers the loss, resume is bitwise identical,
// and the outputs are an HF folder / a PEFT adapter folder.
using System.Text.Json;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Trainer;

public class StoriesTrainingTests
{
    private static TrainOptions Options(TempDir d, TrainingMode mode, int steps) => new()
    {
        Model = SharedData.Path("models/stories260K/stories260K.bin"),
        Tokenizer = SharedData.Path("models/stories260K/tok512.model"),
        Data = [StorySamples.WriteJsonl(d)],
        Out = d.File("run"),
        Mode = mode,
        Lora = new LoraConfig { Rank = 8, Alpha = 16, Dropout = 0.0, Targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] },
        MaxSteps = steps,
        BatchSize = 8,
        SeqLen = 64,
        SystemPrompt = "Tell a story.",
        Packing = false,
        Schedule = ScheduleKind.Constant,
        MaxGradNorm = 1.0,
        Threads = 2,
        Seed = 1,
    };

    private sealed class Sync(Action<TrainProgress> f) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => f(value);
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void FullModeMemorisesEightSamples()
    {
        using var d = new TempDir();
        var r = Med42.Ort.Training.Trainer.Trainer.Run(Options(d, TrainingMode.Full, 200) with { Lr = 3e-3 });
        Assert.True(r.FinalLoss < 0.05, $"final loss {r.FinalLoss} (first {r.LossHistory[0]})");
        using var trained = LlamaCheckpoint.Open(r.OutputFolder); // an HF folder the checkpoint reader accepts
        Assert.Equal(512, trained.Config.VocabSize);
    }

    [SkippableFact]
    public void LoraLowersTheLossAndWritesAPeftAdapter()
    {
        using var d = new TempDir();
        var r = Med42.Ort.Training.Trainer.Trainer.Run(Options(d, TrainingMode.Lora, 25) with { Lr = 1e-2 });
        // "Measurably": at least 20% below the first step's loss (the untrained adapter's loss).
        Assert.True(r.FinalLoss < 0.8 * r.LossHistory[0], $"loss {r.LossHistory[0]} → {r.FinalLoss}");
        var cfg = JsonDocument.Parse(File.ReadAllText(Path.Combine(r.OutputFolder, PeftAdapter.ConfigFile))).RootElement;
        Assert.Equal(8, cfg.GetProperty("r").GetInt32());
        Assert.Equal("LORA", cfg.GetProperty("peft_type").GetString());
        Assert.Equal("CAUSAL_LM", cfg.GetProperty("task_type").GetString());
        using var st = SafetensorsFile.Open(Path.Combine(r.OutputFolder, PeftAdapter.WeightsFile));
        Assert.True(st.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
        Assert.Equal(5 * 7 * 2, st.Tensors.Count);
    }

    [SkippableFact]
    public void ResumeIsBitwiseIdentical()
    {
        using var d = new TempDir();
        // LoRA with dropout exercises the saved dropout RNG too; lr schedule over the full 6 steps.
        TrainOptions Opt(string outName) => Options(d, TrainingMode.Lora, 6) with
        {
            Out = d.File(outName), Lr = 5e-3, Schedule = ScheduleKind.Cosine, WarmupRatio = 0.2, SaveEvery = 3,
            Lora = new LoraConfig { Rank = 4, Alpha = 8, Dropout = 0.1, Targets = ["q_proj", "v_proj"] }, BatchSize = 4, GradAccum = 2,
        };
        var straight = Med42.Ort.Training.Trainer.Trainer.Run(Opt("straight"));
        using (var cts = new CancellationTokenSource())
            Assert.Throws<OperationCanceledException>(() => Med42.Ort.Training.Trainer.Trainer.Run(Opt("split"),
                new Sync(p => { if (p.Step == 3) cts.Cancel(); }), cts.Token));
        var resumed = Med42.Ort.Training.Trainer.Trainer.Run(Opt("split") with { Resume = d.File("split") });
        var a = File.ReadAllBytes(Path.Combine(straight.LastCheckpoint!, CheckpointIo.ParamsFile));
        var b = File.ReadAllBytes(Path.Combine(resumed.LastCheckpoint!, CheckpointIo.ParamsFile));
        Assert.Equal(a, b);
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight.LastCheckpoint!, CheckpointIo.OptimizerFile)),
            File.ReadAllBytes(Path.Combine(resumed.LastCheckpoint!, CheckpointIo.OptimizerFile)));
        Assert.Equal(straight.LossHistory.Skip(3), resumed.LossHistory);
    }

    [SkippableFact]
    public void NonFiniteLossStopsWithAClearMessage()
    {
        using var d = new TempDir();
        var e = Assert.Throws<Med42Exception>(() => Med42.Ort.Training.Trainer.Trainer.Run(Options(d, TrainingMode.Full, 10) with { Lr = 1e30, MaxGradNorm = 0, SaveEvery = 1 }));
        Assert.Contains("non-finite", e.Message);
        Assert.Contains("last good checkpoint", e.Message);
    }
}
