// The wiring of the benchmark programs, without running one (they take minutes; docs/perf.md has their runs):
// targets by name, --models names to the shared LlamaShapes, train's child-mode specs, and option lists.
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama;
using Med42.Ort.Training.Artifacts;

namespace Med42.Ort.Bench.Tests;

public class BenchmarksTests
{
    [Fact]
    public void UnknownTargetNamesTheAvailableOnes()
    {
        Assert.Equal(["eval", "export", "export-memory", "generate", "train", "train-prepare", "train-step"], Benchmarks.Targets);
        var e = Assert.Throws<Med42Exception>(() => Benchmarks.Run("nosuch", new BenchOptions(), CancellationToken.None));
        Assert.Contains("unknown target 'nosuch'", e.Message);
        Assert.Contains(string.Join(", ", Benchmarks.Targets), e.Message);
    }

    [Fact]
    public void ModelNamesAreTheSharedShapes()
    {
        Assert.Equal(LlamaShapes.Stories15M, BenchShapes.Describe("15M", new BenchOptions()).Config);
        Assert.Equal(LlamaShapes.Stories110M, BenchShapes.Describe("110m", new BenchOptions()).Config);
        Assert.Contains("unknown model '7B'", Assert.Throws<Med42Exception>(() => BenchShapes.Load("7B", new BenchOptions())).Message);
    }

    [Fact]
    public void TrainSpecsRoundTripAndRejectOtherForms()
    {
        var spec = TrainBenchSpec.Parse("15M:lora:ckpt");
        Assert.Equal(new TrainBenchSpec("15M", TrainingMode.Lora, Checkpointing: true), spec);
        Assert.Equal("15M:lora:ckpt", spec.ToString());
        Assert.Throws<Med42Exception>(() => TrainBenchSpec.Parse("15M:qlora:ckpt"));
        Assert.Throws<Med42Exception>(() => TrainBenchSpec.Parse("15M:full"));
    }

    [Fact]
    public void ListsSplitOnCommasIgnoringBlanks()
    {
        var o = new BenchOptions { Threads = " 1, 2 ,", Models = "15M,,110M " };
        Assert.Equal([1, 2], o.ThreadCounts());
        Assert.Equal(["15M", "110M"], o.ModelNames());
    }
}
