// The temporaries an interrupted write leaves (".name.tmp-<guid>…" files and folders, a replaced folder's ".old", a
// folder renamed away for deletion) are recognised by their exact naming and removed when the same target is written
// again; user files that merely look similar are never touched.
using Med42.Ort.Core.IO;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.IO;

public class StaleTempTests
{
    private static readonly string Guid32 = Guid.NewGuid().ToString("N");

    private static string[] Entries(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void TemporaryNamesAreRecognisedAndMappedToTheirTarget()
    {
        var sibling = Path.GetFileName(PendingFile.TempSibling("/x/params.safetensors"));
        Assert.Equal("params.safetensors", PendingFile.TargetOf(sibling));
        Assert.Equal("step-00000003", PendingFile.TargetOf($".step-00000003.tmp-{Guid32}.old"));
        Assert.True(PendingFile.IsTempSibling(sibling, "params.safetensors"));
        Assert.False(PendingFile.IsTempSibling(sibling, "optimizer.safetensors"));
        Assert.Null(PendingFile.TargetOf(".hidden"));
        Assert.Null(PendingFile.TargetOf("model.tmp-" + Guid32)); // no leading dot: a user's name
        Assert.Null(PendingFile.TargetOf(".model.tmp-1234")); // not a GUID
    }

    [Fact]
    public void RemoveStaleTempsRemovesOnlyTheProjectsTemporaries()
    {
        using var d = new TempDir();
        var partialFolder = d.File($".model.tmp-{Guid32}");
        Directory.CreateDirectory(partialFolder);
        File.WriteAllText(Path.Combine(partialFolder, "x"), "partial"); // a folder, not empty
        File.WriteAllText(d.File($".metrics.jsonl.tmp-{Guid32}.jsonl"), "partial");
        Directory.CreateDirectory(d.File($".out.tmp-{Guid32}.old"));
        File.WriteAllText(d.File(".hidden"), "user");
        File.WriteAllText(d.File("model.tmp-" + Guid32), "user");
        Directory.CreateDirectory(d.File("model"));

        Assert.Equal(1, OutputFolder.RemoveStaleTemps(d.Path, "out"));
        Assert.Equal(2, OutputFolder.RemoveStaleTemps(d.Path));
        Assert.Equal([".hidden", "model", "model.tmp-" + Guid32], Entries(d.Path));
        Assert.Equal(0, OutputFolder.RemoveStaleTemps(d.File("absent")));
    }

    [Fact]
    public void WritingAFolderAgainRemovesTheTemporariesAKilledWriteLeft()
    {
        using var d = new TempDir();
        var leftover = d.File($".export.tmp-{Guid32}");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "model.onnx"), "half");
        var other = d.File($".other.tmp-{Guid32}"); // another target's temporary: not ours to remove
        Directory.CreateDirectory(other);

        OutputFolder.Write(d.File("export"), force: false, tmp => File.WriteAllText(Path.Combine(tmp, "model.onnx"), "whole"));

        Assert.Equal([Path.GetFileName(other), "export"], Entries(d.Path));
        Assert.Equal("whole", File.ReadAllText(Path.Combine(d.File("export"), "model.onnx")));
    }

    [Fact]
    public void DeleteLeavesNothingBehind()
    {
        using var d = new TempDir();
        Directory.CreateDirectory(d.File("step-1/sub"));
        File.WriteAllText(d.File("step-1/sub/a"), "a");
        OutputFolder.Delete(d.File("step-1"));
        Assert.Empty(Entries(d.Path));
    }
}
