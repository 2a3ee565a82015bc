// AtomicFile, PendingFile and OutputFolder: a write that fails part-way leaves neither a target nor a
// temporary behind and an existing target untouched; a write that succeeds replaces the target (files
// always; folders only when forced or through Replace) and leaves no temporary sibling.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.IO;

public class AtomicWriteTests
{
    private static void AssertOnly(string dir, params string[] names) =>
        Assert.Equal(names.Order(), Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order());

    private static void FailPartWay(Stream s)
    {
        s.Write("partial"u8);
        s.Flush();
        throw new IOException("disk full");
    }

    [Fact]
    public void FileWriteFailingPartWayLeavesNoTargetAndNoTemporary()
    {
        using var tmp = new TempDir();
        var path = tmp.File("results.json");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, FailPartWay));
        AssertOnly(tmp.Path);
    }

    [Fact]
    public void FileWriteFailingPartWayKeepsTheExistingTarget()
    {
        using var tmp = new TempDir();
        var path = tmp.File("results.json");
        File.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, FailPartWay));
        Assert.Equal("old", File.ReadAllText(path));
        AssertOnly(tmp.Path, "results.json");
    }

    [Fact]
    public void FileWriteReplacesAnExistingTargetAndCreatesMissingFolders()
    {
        using var tmp = new TempDir();
        var path = tmp.File("results.md");
        File.WriteAllText(path, "an older and longer content");
        AtomicFile.WriteAllText(path, "new ü");
        Assert.Equal("new ü"u8.ToArray(), File.ReadAllBytes(path)); // UTF-8, no byte-order mark
        AssertOnly(tmp.Path, "results.md");

        var nested = Path.Combine(tmp.Path, "a", "b", "x.bin");
        AtomicFile.WriteAllBytes(nested, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(nested));
    }

    [Fact]
    public void WriteViaHandsAHiddenSiblingWithTheTargetsExtension()
    {
        using var tmp = new TempDir();
        var path = tmp.File("chart.png");
        string? seen = null;
        AtomicFile.WriteVia(path, p =>
        {
            seen = p;
            Assert.False(File.Exists(path)); // the target appears only at the rename
            File.WriteAllText(p, "png");
        });
        Assert.Equal(tmp.Path, Path.GetDirectoryName(seen));
        Assert.StartsWith(".chart.png.tmp-", Path.GetFileName(seen));
        Assert.EndsWith(".png", seen);
        Assert.Equal("png", File.ReadAllText(path));
        AssertOnly(tmp.Path, "chart.png");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteVia(tmp.File("other.svg"), p =>
        {
            File.WriteAllText(p, "half");
            throw new InvalidOperationException("plot failed");
        }));
        AssertOnly(tmp.Path, "chart.png");
    }

    [Fact]
    public void PendingFilesPublishTogetherOrNotAtAll()
    {
        using var tmp = new TempDir();
        using (var model = PendingFile.Create(tmp.File("model.onnx")))
        using (var data = PendingFile.Create(tmp.File("model.onnx.data")))
        {
            using (var s = data.OpenWrite()) s.Write("weights"u8);
            using (var s = model.OpenWrite()) s.Write("graph"u8);
            // Abandoned before Commit: as if the export had thrown here.
        }
        AssertOnly(tmp.Path);

        using (var model = PendingFile.Create(tmp.File("model.onnx")))
        using (var data = PendingFile.Create(tmp.File("model.onnx.data")))
        {
            using (var s = data.OpenWrite()) s.Write("weights"u8);
            using (var s = model.OpenWrite()) s.Write("graph"u8);
            data.Commit();
            model.Commit();
        }
        Assert.Equal("graph", File.ReadAllText(tmp.File("model.onnx")));
        Assert.Equal("weights", File.ReadAllText(tmp.File("model.onnx.data")));
        AssertOnly(tmp.Path, "model.onnx", "model.onnx.data");
    }

    [Fact]
    public void TemporarySiblingsAreHiddenUniqueAndBesideTheTarget()
    {
        using var tmp = new TempDir();
        var a = PendingFile.TempSibling(tmp.File("out"));
        var b = PendingFile.TempSibling(tmp.File("out") + Path.DirectorySeparatorChar);
        Assert.NotEqual(a, b);
        Assert.All(new[] { a, b }, t =>
        {
            Assert.Equal(tmp.Path, Path.GetDirectoryName(t));
            Assert.StartsWith(".out.tmp-", Path.GetFileName(t));
        });
    }

    [Fact]
    public void FolderWriteFailingPartWayLeavesNoTargetAndNoTemporary()
    {
        using var tmp = new TempDir();
        var dir = tmp.File("export");
        Assert.Throws<IOException>(() => OutputFolder.Write(dir, force: false, t =>
        {
            File.WriteAllText(Path.Combine(t, "model.onnx"), "half");
            throw new IOException("disk full");
        }));
        AssertOnly(tmp.Path);
    }

    [Fact]
    public void FolderWriteRefusesANonEmptyTargetUnlessForcedThenReplacesIt()
    {
        using var tmp = new TempDir();
        var dir = tmp.File("export");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "old.txt"), "old");

        var e = Assert.Throws<Med42Exception>(() => OutputFolder.Write(dir, force: false, t => File.WriteAllText(Path.Combine(t, "new.txt"), "new")));
        Assert.Contains("--force", e.Message);
        AssertOnly(dir, "old.txt");

        Assert.Throws<IOException>(() => OutputFolder.Write(dir, force: true, _ => throw new IOException("disk full")));
        AssertOnly(dir, "old.txt"); // a failed forced write keeps the old folder
        AssertOnly(tmp.Path, "export");

        OutputFolder.Write(dir, force: true, t => File.WriteAllText(Path.Combine(t, "new.txt"), "new"));
        AssertOnly(dir, "new.txt");
        AssertOnly(tmp.Path, "export");
    }

    [Fact]
    public void FolderWriteAcceptsAnEmptyTargetAndRefusesAFile()
    {
        using var tmp = new TempDir();
        var dir = tmp.File("empty");
        Directory.CreateDirectory(dir);
        OutputFolder.Write(dir, force: false, t => File.WriteAllText(Path.Combine(t, "a.txt"), "a"));
        AssertOnly(dir, "a.txt");

        File.WriteAllText(tmp.File("file"), "x");
        Assert.Throws<Med42Exception>(() => OutputFolder.Write(tmp.File("file"), force: true, _ => { }));
        Assert.Equal("x", File.ReadAllText(tmp.File("file")));
    }

    [Fact]
    public void ReplaceOverwritesAnExistingFolderWithoutBeingForced()
    {
        using var tmp = new TempDir();
        var dir = Path.Combine(tmp.Path, "checkpoints", "step_10");
        OutputFolder.Replace(dir, t => File.WriteAllText(Path.Combine(t, "state.json"), "1"));
        OutputFolder.Replace(dir, t => File.WriteAllText(Path.Combine(t, "params.bin"), "2"));
        AssertOnly(dir, "params.bin");
        AssertOnly(Path.Combine(tmp.Path, "checkpoints"), "step_10");
        Assert.Equal("2", File.ReadAllText(Path.Combine(dir, "params.bin"), Encoding.UTF8));
    }
}
