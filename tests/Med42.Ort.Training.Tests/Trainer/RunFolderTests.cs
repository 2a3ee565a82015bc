// The run folder guard and the checkpoint folder housekeeping: a non-empty --out that is not being resumed is refused
// with both ways out named, --force removes the previous run's files and nothing else, a file is refused, stale
// temporaries are removed; keep-last spares the checkpoint a divergence message would recommend.
using Med42.Ort.Core.Errors;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Training.Tests.Trainer;

public class RunFolderTests
{
    private static string Guid32 => Guid.NewGuid().ToString("N");

    private static string PreviousRun(TempDir d)
    {
        var run = d.File("run");
        foreach (var step in new[] { "step-00000002", "step-00000004" })
        {
            Directory.CreateDirectory(Path.Combine(run, "checkpoints", step));
            File.WriteAllText(Path.Combine(run, "checkpoints", step, CheckpointIo.StateFile), "{}");
        }
        Directory.CreateDirectory(Path.Combine(run, "model"));
        File.WriteAllText(Path.Combine(run, "metrics.jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(run, "notes.txt"), "the user's");
        return run;
    }

    [Fact]
    public void ANonEmptyFolderIsRefusedNamingBothWaysOut()
    {
        using var d = new TempDir();
        var run = PreviousRun(d);
        var e = Assert.Throws<Med42Exception>(() => RunFolder.Prepare(run, resume: null, force: false));
        Assert.StartsWith($"{run}: output folder is not empty", e.Message);
        Assert.Contains($"--resume {run}", e.Message);
        Assert.Contains("--force", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(File.Exists(Path.Combine(run, "metrics.jsonl")), "a refused run changes nothing");
    }

    [Fact]
    public void ResumeKeepsTheRunAndForceRemovesOnlyItsFiles()
    {
        using var d = new TempDir();
        var run = PreviousRun(d);
        RunFolder.Prepare(run, resume: run, force: false);
        Assert.Equal(2, CheckpointIo.List(Path.Combine(run, "checkpoints")).Count);

        RunFolder.Prepare(run, resume: null, force: true);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(run).Select(Path.GetFileName));
    }

    [Fact]
    public void AFileIsRefusedAndAnEmptyOrAbsentFolderAccepted()
    {
        using var d = new TempDir();
        File.WriteAllText(d.File("file"), "x");
        var e = Assert.Throws<Med42Exception>(() => RunFolder.Prepare(d.File("file"), null, force: true));
        Assert.StartsWith($"{d.File("file")}: --out names a file", e.Message);
        RunFolder.Prepare(d.File("new"), null, false);
        RunFolder.Prepare(d.File("new"), null, false); // still empty
        Assert.True(Directory.Exists(d.File("new")));
    }

    [Fact]
    public void TemporariesAKilledRunLeftAreRemoved()
    {
        using var d = new TempDir();
        var run = PreviousRun(d);
        var step = Path.Combine(run, "checkpoints", $".step-00000006.tmp-{Guid32}");
        var model = Path.Combine(run, $".model.tmp-{Guid32}");
        Directory.CreateDirectory(step);
        Directory.CreateDirectory(model);
        RunFolder.Prepare(run, resume: run, force: false);
        Assert.False(Directory.Exists(step));
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public void KeepLastSparesTheVerifiedCheckpointAndLeavesNoPartialFolder()
    {
        using var d = new TempDir();
        var root = Path.Combine(PreviousRun(d), "checkpoints");
        for (var s = 6; s <= 10; s += 2)
        {
            Directory.CreateDirectory(CheckpointIo.StepFolder(root, s));
            File.WriteAllText(Path.Combine(CheckpointIo.StepFolder(root, s), CheckpointIo.StateFile), "{}");
        }
        CheckpointIo.KeepLast(root, 1, spare: CheckpointIo.StepFolder(root, 4));
        Assert.Equal(["step-00000004", "step-00000010"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Order());
        CheckpointIo.KeepLast(root, 1);
        Assert.Equal(["step-00000010"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName));
    }
}
