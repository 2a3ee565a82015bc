// A tiny random Llama's training artifacts saved to a scratch folder, and backends bound to them: the fixture of the
// trainer-step and backend-contract tests (no shared data needed, each step takes milliseconds).
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Distributed;
using Med42.Ort.Training.Trainer;
using Med42.Ort.Training.Trainer.Backends;

namespace Med42.Ort.Training.Tests.Trainer;

internal sealed class TinyTrainingRun : IDisposable
{
    private readonly TempDir _dir = new();

    public TinyTrainingRun(TrainingMode mode, LoraConfig? lora = null, int seed = 31)
    {
        Config = TinyModels.Config();
        using var weights = TinyLlama.Create(Config, seed, std: 0.1f);
        Artifacts = TrainingArtifacts.Build(Config, weights, mode, lora);
        Artifacts.SaveModels(_dir.Path);
    }

    public LlamaConfig Config { get; }
    public TrainingArtifacts Artifacts { get; }

    /// <summary>Bytes of the trainable state a checkpoint holds: parameters and both AdamW moments, float32.</summary>
    public long StateBytes => Artifacts.Parameters.Sum(p => 3L * sizeof(float) * p.ElementCount);

    /// <param name="shard">ZeRO-1: the ranks the AdamW moments are spread over (null: all moments here).</param>
    public ITrainingBackend Backend(ITrainingBackendFactory factory, SessionSettings settings, int batch, int seq, OptimizerShard? shard = null) => factory.Create(new TrainingBackendSpec
    {
        OptimizerShard = shard,
        TrainingModel = Path.Combine(_dir.Path, TrainingArtifacts.TrainingModelFile),
        EvalModel = Path.Combine(_dir.Path, TrainingArtifacts.EvalModelFile),
        Settings = settings,
        State = TrainingState.Fresh(Artifacts.Parameters, Artifacts.InitialParameters, shard),
        BatchSize = batch,
        SeqLen = seq,
        DropoutMasks = Artifacts.DropoutMasks,
    });

    /// <summary>Random documents in a fixed order (no shuffling), unpacked: one document per row.</summary>
    public static DataLoader Loader(int docs, int batch, int seq, ulong seed = 32) =>
        new(RandomDocuments.Make(docs, seed), batch, seq, packing: false, seed, shuffle: false);

    public void Dispose() => _dir.Dispose();
}
