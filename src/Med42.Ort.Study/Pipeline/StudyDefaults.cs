// The embedded default study (README's first command): a tiny Llama pretrained on the study corpus,
// then base / full / LoRA r=16 / LoRA r=32 (12 epochs over the instruction set) compared on the study's MCQ sets. Sized for a 2-core CPU:
// the default completes in ≤ 10 minutes, --quick in ≤ 2 minutes (docs/study.md has the timings).
namespace Med42.Ort.Study.Pipeline;

public static class StudyDefaults
{
    public const string DefaultOut = "runs/study";
    public const string QuickOut = "runs/study-quick";

    /// <summary>All projections: a tiny model needs every linear adapted for LoRA to learn new facts.</summary>
    public static readonly string[] AllTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    public static StudyConfig Embedded(bool quick = false)
    {
        // Fine-tuning length: epochs over the ~3,000-record instruction set (memorising a fact takes many
        // passes); --quick caps the steps instead so it stays within about 2 minutes.
        int? ftSteps = quick ? 60 : null;
        var ftEpochs = quick ? 1 : 12; // ignored when max_steps is set
        var ftBatch = quick ? 8 : 16;
        return new StudyConfig
        {
            Out = quick ? QuickOut : DefaultOut,
            SeqLen = 128,
            // 2,048 BPE pieces: an answer is ~7 pieces instead of ~14 with 512, and only then did the 2-layer
            // model memorise the answers (docs/study.md, "What was measured").
            Model = new TinyModelConfig { VocabSize = 2048, HiddenSize = 64, IntermediateSize = 172, Layers = 2, Heads = 4, KvHeads = 4, MaxPositions = 256 },
            Pretrain = new PretrainConfig { Steps = quick ? 80 : 300, Lr = 3e-3, BatchSize = 8 },
            Eval = new EvalConfig { Limit = quick ? 20 : 100, McqStyles = quick ? [McqStyle.TextMutualInfo, McqStyle.Letter]
                : [McqStyle.TextMutualInfo, McqStyle.Text, McqStyle.Letter] },
            Runs =
            [
                new StudyRun { Name = "base", Kind = RunKind.Base },
                new StudyRun { Name = "full", Kind = RunKind.Full, Lr = 6e-3, MaxSteps = ftSteps, Epochs = ftEpochs, BatchSize = ftBatch },
                new StudyRun { Name = "lora-r16", Kind = RunKind.Lora, Lr = 1e-2, MaxSteps = ftSteps, Epochs = ftEpochs, BatchSize = ftBatch,
                    Lora = new() { Rank = 16, Alpha = 32, Targets = AllTargets } },
                new StudyRun { Name = "lora-r32", Kind = RunKind.Lora, Lr = 1e-2, MaxSteps = ftSteps, Epochs = ftEpochs, BatchSize = ftBatch,
                    Lora = new() { Rank = 32, Alpha = 64, Targets = AllTargets } },
            ],
        };
    }
}
