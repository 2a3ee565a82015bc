// Hidden child mode of `bench train` (first of two processes per configuration): builds the random model, writes
// training_model.onnx (frozen weights as external data) and the initial trainable parameters into --artifacts,
// then exits, so none of the benchmark's own model-building heap is in the measured training process.
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Bench;

internal sealed class TrainPrepareBenchmark : IBenchmark
{
    public string Name => "train-prepare";

    public int Run(BenchOptions o, CancellationToken cancellationToken)
    {
        var spec = TrainBenchSpec.Parse(o.Models);
        var dir = o.Artifacts ?? throw new Med42Exception("bench train-prepare: --artifacts FOLDER is required");
        var (_, config, weights) = BenchShapes.Load(spec.Model, o);
        using (weights)
        {
            var a = TrainingArtifacts.Build(config, weights, spec.Mode, spec.LoraOrNull, new ArtifactOptions { GradientCheckpointing = spec.Checkpointing });
            a.SaveModels(dir);
            SafetensorsWriter.Write(Path.Combine(dir, TrainBenchSpec.ParamsFile), TrainingState.Fresh(a.Parameters, a.InitialParameters).ToStore());
        }
        return 0;
    }
}
