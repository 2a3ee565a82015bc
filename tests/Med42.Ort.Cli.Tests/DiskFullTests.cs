// A full disk, for real: a tmpfs mounted with a size too small for what the verb writes (root only; elsewhere
// the tests skip, and ErrorReportTests covers ENOSPC through /dev/full). Each verb must stop with one line
// "med42: error: <target>: No space left on device", exit 2, and leave neither a partial target nor a temporary
// behind; a training run that fills the disk keeps its earlier checkpoints whole, and once space is freed (the
// tmpfs remounted larger) it resumes to the bitwise parameters of a run that never failed.
using System.Diagnostics;
using Med42.Ort.Core.IO;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;
using Xunit.Abstractions;

namespace Med42.Ort.Cli.Tests;

public class DiskFullTests(ITestOutputHelper log)
{
    private const long Page = 4096;

    /// <summary>A tmpfs of a given size mounted on a fresh folder, unmounted on dispose.</summary>
    private sealed class SmallDisk : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("med42-full-").FullName;

        public SmallDisk(long bytes)
        {
            if (!Mount($"size={Rounded(bytes)}"))
            {
                Directory.Delete(Path);
                throw new SkipException("mounting a tmpfs needs root (CAP_SYS_ADMIN)");
            }
        }

        public void Resize(long bytes) => Assert.True(Mount($"remount,size={Rounded(bytes)}"), "tmpfs remount failed");

        private bool Mount(string options) => RunTool("mount", "-t", "tmpfs", "-o", options, "tmpfs", Path) == 0;

        public void Dispose()
        {
            RunTool("umount", Path);
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }

    private static long Rounded(long bytes) => (bytes + Page - 1) / Page * Page;

    private static int RunTool(string tool, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; } // no such tool
    }

    // What a folder takes on tmpfs: every file rounded up to whole pages.
    private static long Footprint(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => Rounded(new FileInfo(f).Length));

    private static void AssertCleanDiskFullError(int code, string stderr, string target)
    {
        Assert.True(code == 2, $"exit {code}: {stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("med42: error: ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, stderr);
        Assert.StartsWith($"med42: error: {target}", lines[0]);
        Assert.EndsWith("No space left on device", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
    }

    private static void AssertNoTemporaries(string dir) =>
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories), e => PendingFile.TargetOf(System.IO.Path.GetFileName(e)) is not null);

    [SkippableFact]
    public void ConvertAndExportIntoAFullDiskFailCleanly()
    {
        using var d = new TempDir();
        var f = new KillTrialTests.Fixture(d);
        string[] Convert(string o) => ["convert", "--model", f.Model, "--tokenizer", f.Tokenizer, "--out", o];
        string[] Export(string o) => ["export", "--model", f.Model, "--tokenizer", f.Tokenizer, "--format", "genai", "--out", o];
        foreach (var (name, args) in new (string, Func<string, string[]>)[] { ("convert", Convert), ("export", Export) })
        {
            KillTrialTests.MustSucceed(args(d.File(name)));
            // Half of what the verb writes: it runs out part-way through.
            using var disk = new SmallDisk(Footprint(d.File(name)) / 2);
            var target = System.IO.Path.Combine(disk.Path, name);
            var (code, _, stderr) = Med42Process.Run(args(target));
            AssertCleanDiskFullError(code, stderr, target);
            Assert.False(Directory.Exists(target), $"{name}: a partial target folder was left");
            AssertNoTemporaries(disk.Path);
            log.WriteLine($"{name}: {stderr.Trim()}");
        }
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void TrainIntoAFullDiskStopsCleanlyKeepsItsCheckpointsAndResumesBitwise()
    {
        using var d = new TempDir();
        var f = new KillTrialTests.Fixture(d);
        var straight = d.File("straight");
        KillTrialTests.MustSucceed(f.Train(straight));
        var final = KillTrialTests.FinalParams(straight);
        var checkpoint = Directory.GetDirectories(System.IO.Path.Combine(straight, "checkpoints")).Max(Footprint);
        var rest = Footprint(straight) - Footprint(System.IO.Path.Combine(straight, "checkpoints"))
            - Footprint(System.IO.Path.Combine(straight, "adapter")) - Footprint(System.IO.Path.Combine(straight, PeftBaseModel.FolderName))
            - Rounded(new FileInfo(System.IO.Path.Combine(straight, "loss.png")).Length); // outputs written after the last checkpoint

        // Room for the run's artifacts and metrics and two and a half checkpoints: keep-last 2 holds two, so the third
        // save (step 6 of 12, before keep-last removes the oldest) runs out of space part-way through.
        using var disk = new SmallDisk(rest + 2 * checkpoint + checkpoint / 2);
        var run = System.IO.Path.Combine(disk.Path, "run");
        var (code, _, stderr) = Med42Process.Run(TimeSpan.FromMinutes(10), f.Train(run));
        AssertCleanDiskFullError(code, stderr, run);
        log.WriteLine(stderr.Trim());
        var kept = Directory.GetDirectories(System.IO.Path.Combine(run, "checkpoints"), "step-*");
        Assert.NotEmpty(kept);
        KillTrialTests.AssertRunFolderComplete(run);
        AssertNoTemporaries(run);
        Assert.False(Directory.Exists(System.IO.Path.Combine(run, "adapter")));

        disk.Resize(4 * Footprint(straight));
        KillTrialTests.MustSucceed([.. f.Train(run), "--resume", run]);
        Assert.Equal(final, KillTrialTests.FinalParams(run));
        log.WriteLine($"stopped with {kept.Length} checkpoints ({string.Join(", ", kept.Select(System.IO.Path.GetFileName))}); resumed to the bitwise final parameters");
    }
}
