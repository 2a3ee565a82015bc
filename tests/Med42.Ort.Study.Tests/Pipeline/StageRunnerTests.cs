// The stage machinery of `med42 study` (interrupting and rerunning resumes):
// finished stages are skipped, unfinished ones rerun from a clean folder, a changed configuration
// or --fresh reruns everything, and every stage is logged to stages.jsonl.
using Med42.Ort.Tests.Shared;
using Med42.Ort.Study.Pipeline;

namespace Med42.Ort.Study.Tests.Pipeline;

public sealed class StageRunnerTests
{
    [Fact]
    public void FinishedStagesAreSkippedAndInterruptedOnesRerun()
    {
        using var tmp = new TempDir();
        var calls = new List<string>();
        void Work(string dir) { calls.Add(Path.GetFileName(dir)); File.WriteAllText(Path.Combine(dir, "out.txt"), "x"); }

        var first = new StageRunner(tmp.Path, "fp1", fresh: false);
        first.Run("a", Work);
        // Stage b is interrupted: it throws after writing a partial file, so no marker is written.
        Assert.Throws<InvalidOperationException>(() => first.Run("b", dir => { File.WriteAllText(Path.Combine(dir, "partial.txt"), "p"); throw new InvalidOperationException("killed"); }));
        Assert.True(first.IsDone("a"));
        Assert.False(first.IsDone("b"));

        var second = new StageRunner(tmp.Path, "fp1", fresh: false);
        second.Run("a", Work);
        second.Run("b", Work);
        Assert.Equal(["a", "b"], calls);
        Assert.False(File.Exists(Path.Combine(tmp.Path, "b", "partial.txt")), "an unfinished stage restarts from a clean folder");
        Assert.Equal(["skipped", "ran"], second.Events.Select(e => e.Status));

        var log = File.ReadAllLines(Path.Combine(tmp.Path, StageRunner.LogFile));
        Assert.Equal(3, log.Length); // a ran; then a skipped, b ran (the interrupted b logged nothing)
        Assert.Contains("\"stage\":\"b\"", log[^1]);
    }

    [Fact]
    public void ChangedFingerprintOrFreshReruns()
    {
        using var tmp = new TempDir();
        var count = 0;
        new StageRunner(tmp.Path, "fp1", fresh: false).Run("a", _ => count++);
        new StageRunner(tmp.Path, "fp1", fresh: false).Run("a", _ => count++);
        Assert.Equal(1, count);
        new StageRunner(tmp.Path, "fp2", fresh: false).Run("a", _ => count++);
        Assert.Equal(2, count);
        new StageRunner(tmp.Path, "fp2", fresh: true).Run("a", _ => count++);
        Assert.Equal(3, count);
    }
}
