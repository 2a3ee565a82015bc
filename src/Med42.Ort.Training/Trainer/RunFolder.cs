// A training run's output folder (--out): artifacts/, checkpoints/, metrics.jsonl, model/ or adapter/, loss.png.
// Training into a folder that holds another run would mix their metrics, replace its model and let keep-last delete
// the new checkpoints, and a later --resume would continue the old run: so a non-empty folder is refused unless the
// run resumes (--resume) or starts over (--force, which removes the previous run's files — and only those). Temporary
// files and folders a killed run left (".name.tmp-<guid>…") are removed first. Test: Training.Tests/Trainer/RunFolderTests.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Training.Trainer;

public static class RunFolder
{
    public const string LossPlotFile = "loss.png";

    /// <summary>What a run writes directly under its folder: removed by --force, nothing else is.</summary>
    public static readonly IReadOnlyList<string> RunEntries =
        [Trainer.ArtifactsFolder, Trainer.CheckpointsFolder, Trainer.MetricsFile, Trainer.ModelFolder, Trainer.AdapterFolder, LossPlotFile];

    /// <summary>Makes <paramref name="outDir"/> ready for a run, or throws naming the folder and the two ways out.</summary>
    public static void Prepare(string outDir, string? resume, bool force)
    {
        var full = Path.GetFullPath(outDir);
        if (File.Exists(full)) throw new Med42Exception($"{outDir}: --out names a file; it must be a folder (absent, empty or a run to resume)");
        if (Directory.Exists(full))
        {
            foreach (var dir in new[] { full, Path.Combine(full, Trainer.CheckpointsFolder), Path.Combine(full, Trainer.ArtifactsFolder) })
                OutputFolder.RemoveStaleTemps(dir);
            if (resume is null && Directory.EnumerateFileSystemEntries(full).Any())
            {
                if (!force)
                    throw new Med42Exception($"{outDir}: output folder is not empty (a previous run?); pass --resume {outDir} to continue it, " +
                        "or --force to start over in it");
                RemovePreviousRun(full);
            }
        }
        Directory.CreateDirectory(full);
    }

    private static void RemovePreviousRun(string full)
    {
        foreach (var name in RunEntries)
        {
            var path = Path.Combine(full, name);
            if (Directory.Exists(path)) OutputFolder.Delete(path);
            else if (File.Exists(path)) File.Delete(path);
        }
    }
}
