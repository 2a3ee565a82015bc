// What every stage of one study invocation shares: the validated config, the stage runner with its two
// fingerprints, the session settings, where the base model and tokenizer are, the evaluation plan, progress
// and cancellation. Paths are fixed up front; nothing is read from disk until a stage needs it.
using System.Security.Cryptography;
using System.Text;
using Med42.Ort.Core.IO;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Runtime;
using Med42.Ort.Study.Facts;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Study.Pipeline.Stages;

internal sealed class StudyContext
{
    private readonly string _trainingFingerprint;
    private readonly Lazy<LlamaConfig> _baseConfig;

    public StudyContext(StudyConfig config, bool fresh, IProgress<StudyProgress>? progress, CancellationToken ct)
    {
        Config = config;
        Progress = progress;
        Cancellation = ct;
        // Evaluation settings do not invalidate trained models: training stages use a fingerprint without them.
        _trainingFingerprint = Fingerprint(config with { Eval = new EvalConfig(), DataDir = null, StudyTasks = true });
        Stages = new StageRunner(config.Out, Fingerprint(config), fresh);
        Settings = new SessionSettings { Device = config.Device, Threads = config.Threads };
        NeedsData = config.IsEmbedded || config.Instruct.Count == 0 || config.StudyTasks;
        DataDir = Stages.Dir(DataStage.StageName);
        if (config.IsEmbedded)
        {
            BasePath = Path.Combine(Stages.Dir(PretrainStage.StageName), Trainer.ModelFolder);
            TokenizerPath = Path.Combine(Stages.Dir(TokenizerStage.StageName), Core.Tokenizers.HfTokenizerJson.TokenizerFile);
        }
        else
        {
            BasePath = config.Base;
            TokenizerPath = config.Tokenizer ?? ModelPath.Folder(config.Base);
        }
        Instruct = config.Instruct.Count > 0 ? config.Instruct : [Path.Combine(DataDir, StudyDataset.InstructFile)];
        Plan = new EvalPlan
        {
            StudySets = config.StudyTasks && NeedsData
                ? [new(StudyPipeline.HeldInTask, Path.Combine(DataDir, StudyDataset.McqHeldInFile)), new(StudyPipeline.NeverTask, Path.Combine(DataDir, StudyDataset.McqNeverFile)),
                   new(StudyPipeline.PretrainTask, Path.Combine(DataDir, StudyDataset.McqPretrainFile))]
                : [],
            McqStyles = config.Eval.McqStyles,
            Benchmarks = BenchmarkSet.Discover(config.DataDir),
            DataDir = config.DataDir,
            Limit = config.Eval.Limit,
            BatchSize = config.Eval.BatchSize,
        };
        // Opened on first use: the embedded base exists only once the pretrain stage has run.
        _baseConfig = new Lazy<LlamaConfig>(() => { using var ck = LlamaCheckpoint.Open(BasePath); return ck.Config; });
    }

    public StudyConfig Config { get; }
    public IProgress<StudyProgress>? Progress { get; }
    public CancellationToken Cancellation { get; }
    public StageRunner Stages { get; }
    public SessionSettings Settings { get; }
    /// <summary>The embedded study data is generated when the base, the instruction set or the MCQ sets come from it.</summary>
    public bool NeedsData { get; }
    public string DataDir { get; }
    /// <summary>The model every run starts from: the pretrained tiny Llama, or the configured checkpoint.</summary>
    public string BasePath { get; }
    public string TokenizerPath { get; }
    public IReadOnlyList<string> Instruct { get; }
    public EvalPlan Plan { get; }
    public LlamaConfig BaseConfig => _baseConfig.Value;
    public long BaseParameters => WeightLayout.ParameterCount(BaseConfig);

    public void Run(IStudyStage stage) => Stages.Run(stage.Name, stage.Run, stage.IsTraining ? _trainingFingerprint : null);

    public void Report(string stage, int done, int total, string detail) => Progress?.Report(new StudyProgress(stage, done, total, detail));

    private static string Fingerprint(StudyConfig c)
    {
        var json = StudyConfigLoader.ToJson(c with { Out = "" });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16].ToLowerInvariant();
    }
}
