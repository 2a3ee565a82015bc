// TrainingSession's disabled ORT transformers really are disabled: ORT reads the
// "optimization.disable_specified_optimizers" list split on ';' (a ',' list is one unknown name and disables
// nothing, which is how the list was once silently ignored). Checked on ORT's saved optimized model of the eval
// graph, where every one of these fusions applies when left enabled.
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter TrainingSessionOptimizerTests
using System.Text;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Trainer;
using InferenceSession = Microsoft.ML.OnnxRuntime.InferenceSession;

namespace Med42.Ort.Training.Tests.Trainer;

public class TrainingSessionOptimizerTests
{
    [Fact]
    public void AlwaysDisabledFusionsDoNotApply()
    {
        var c = TinyModels.Config();
        using var w = TinyLlama.Create(c, 31);
        using var d = new TempDir();
        TrainingArtifacts.Build(c, w, TrainingMode.Lora, new LoraConfig { Rank = 2, Alpha = 4, Targets = ["q_proj", "v_proj"] }).SaveModels(d.Path);
        string Optimized(string? disabled)
        {
            var path = Path.Combine(d.Path, $"optimized-{disabled is null}.onnx");
            using var so = new SessionSettings { Threads = 1 }.CreateOptions();
            if (disabled is not null) so.AddSessionConfigEntry(TrainingSession.DisableOptimizersKey, disabled);
            so.OptimizedModelFilePath = path;
            using (new InferenceSession(Path.Combine(d.Path, TrainingArtifacts.EvalModelFile), so)) { }
            return Encoding.Latin1.GetString(File.ReadAllBytes(path));
        }
        var fused = Optimized(null);
        var kept = Optimized(TrainingSession.AlwaysDisabledOptimizers);
        foreach (var name in TrainingSession.AlwaysDisabledOptimizers.Split(';'))
        {
            Assert.Contains("/" + name + "/", fused, StringComparison.Ordinal);       // the fusion applies to this graph...
            Assert.DoesNotContain("/" + name + "/", kept, StringComparison.Ordinal);  // ...and the list turns it off
        }
    }
}
