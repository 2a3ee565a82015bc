// DivergenceCheck on hand-made loss sequences: each sign of divergence (non-finite loss or norm, a collapse to ln V
// with a zero gradient norm, a loss far above its running mean) stops at the right step, healthy sequences (a fresh
// model at ln V with a real gradient, noisy low losses) pass, and the checkpoint the message recommends is re-read and
// refused when it holds a non-finite value.
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Trainer;

public class DivergenceCheckTests
{
    private const int Vocab = 512;
    private static readonly double LnV = Math.Log(Vocab);

    private static string Checkpoint(TempDir d, string name, float value)
    {
        var dir = d.File(name);
        Directory.CreateDirectory(dir);
        var store = new InMemoryTensorStore("test");
        store.AddFloat("w", [2, 3], [0.5f, -1f, 2f, 3f, 4f, value]);
        SafetensorsWriter.Write(Path.Combine(dir, CheckpointIo.ParamsFile), store);
        return dir;
    }

    [Fact]
    public void NonFiniteLossOrNormStopsNamingTheStepAndAFiniteCheckpoint()
    {
        using var d = new TempDir();
        var good = Checkpoint(d, "step-2", 1f);
        var check = new DivergenceCheck(Vocab);
        check.Observe(0, 3.0, 1.0, null);
        var e = Assert.Throws<Med42Exception>(() => check.Observe(1, double.NaN, 1.0, good));
        Assert.StartsWith("step 2: non-finite loss (NaN)", e.Message);
        Assert.Contains($"last good checkpoint: {good} ", e.Message);
        e = Assert.Throws<Med42Exception>(() => DivergenceCheck.ThrowIfNonFinite(6, 3.0, double.PositiveInfinity, null));
        Assert.StartsWith("step 7: non-finite gradient norm", e.Message);
        Assert.Contains("last good checkpoint: none", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void ARecommendedCheckpointWithANonFiniteValueIsNotRecommended(float bad)
    {
        using var d = new TempDir();
        var ckpt = Checkpoint(d, "step-4", bad);
        var e = Assert.Throws<Med42Exception>(() => DivergenceCheck.ThrowIfNonFinite(4, double.NaN, 1, ckpt));
        Assert.Contains($"last good checkpoint: none ({ckpt} holds a non-finite value at w[5])", e.Message);
    }

    [Fact]
    public void ACollapseToLnVWithZeroGradientStopsAfterSeveralSteps()
    {
        var check = new DivergenceCheck(Vocab);
        Assert.True(check.Observe(0, 2.0, 0.8, null));
        for (var s = 1; s < DivergenceCheck.CollapseSteps; s++) Assert.False(check.Observe(s, LnV * 1.001, 0.0, null)); // collapsing: not healthy
        var e = Assert.Throws<Med42Exception>(() => check.Observe(DivergenceCheck.CollapseSteps, LnV, 0.0, null));
        Assert.StartsWith($"step {DivergenceCheck.CollapseSteps + 1}: the loss has sat at ln V = {LnV:F4}", e.Message);
        Assert.Contains("collapsed", e.Message);
    }

    [Fact]
    public void AFreshModelAtLnVWithARealGradientIsHealthy()
    {
        var check = new DivergenceCheck(Vocab);
        for (var s = 0; s < 10; s++) Assert.True(check.Observe(s, LnV, 1.5, null)); // random init: uniform-ish logits, real gradient
        var interrupted = new DivergenceCheck(Vocab); // a collapse streak broken by one healthy step starts again
        for (var s = 0; s < 10; s++) interrupted.Observe(s, LnV, s % DivergenceCheck.CollapseSteps == 0 ? 0.5 : 0.0, null);
    }

    [Fact]
    public void ALossFarAboveItsRunningMeanStops()
    {
        var check = new DivergenceCheck(Vocab);
        double[] losses = [2.1, 2.0, 1.9, 1.95, 2.0];
        for (var s = 0; s < losses.Length; s++) check.Observe(s, losses[s], 1.0, null);
        check.Observe(5, 3.5, 1.0, null); // a bump within twice the mean: noise, not divergence
        var e = Assert.Throws<Med42Exception>(() => check.Observe(6, 9.0, 1.0, null));
        Assert.StartsWith("step 7: loss 9 is far above its running mean", e.Message);
    }

    [Fact]
    public void NoisyLowLossesAndEarlyStepsDoNotTrip()
    {
        var check = new DivergenceCheck(Vocab);
        check.Observe(0, 0.5, 1, null);
        check.Observe(1, 8.0, 1, null); // before RiseWarmup steps: no running mean yet
        var low = new DivergenceCheck(Vocab);
        var rng = new Random(5);
        for (var s = 0; s < 200; s++) low.Observe(s, 0.02 + 0.3 * rng.NextDouble(), 0.1, null); // memorised samples: relative noise is large
    }
}
