// Input paths: a dangling symbolic link, a link loop (direct or through a parent folder) and a folder
// where a file is expected are one-line Med42Exceptions naming the path; a chain of valid links resolves.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.IO;

public class InputFileTests
{
    [Fact]
    public void DanglingLinkIsNamed()
    {
        using var dir = new TempDir();
        var link = dir.File("data.jsonl");
        File.CreateSymbolicLink(link, dir.File("gone.jsonl"));
        var e = Assert.Throws<Med42Exception>(() => InputFile.ReadAllBytes(link, "data file"));
        Assert.Equal($"{link}: data file is a dangling symbolic link (its target '{dir.File("gone.jsonl")}' does not exist)", e.Message);
    }

    [Fact]
    public void LinkLoopIsNamed()
    {
        using var dir = new TempDir();
        File.CreateSymbolicLink(dir.File("a"), dir.File("b"));
        File.CreateSymbolicLink(dir.File("b"), dir.File("a"));
        var e = Assert.Throws<Med42Exception>(() => InputFile.Resolve(dir.File("a"), "data file"));
        Assert.StartsWith($"{dir.File("a")}: data file is a symbolic link loop", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LoopInAParentFolderIsNamed()
    {
        using var dir = new TempDir();
        Directory.CreateSymbolicLink(dir.File("loop"), dir.File("loop"));
        var path = Path.Combine(dir.File("loop"), "test.jsonl");
        var e = Assert.Throws<Med42Exception>(() => InputFile.Resolve(path, "task 'medqa_4options': data file"));
        Assert.Equal($"{path}: task 'medqa_4options': data file: a folder on its path is a symbolic link loop", e.Message);
    }

    [Fact]
    public void FolderAndMissingFileAreNamed()
    {
        using var dir = new TempDir();
        Assert.Equal($"{dir.Path}: CSV file is a folder, expected a file", Assert.Throws<Med42Exception>(() => InputFile.Resolve(dir.Path, "CSV file")).Message);
        Assert.Equal($"{dir.File("x")}: CSV file not found", Assert.Throws<Med42Exception>(() => InputFile.Resolve(dir.File("x"), "CSV file")).Message);
    }

    [Fact]
    public void ChainOfLinksResolvesToTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("real.csv"), "a,b");
        File.CreateSymbolicLink(dir.File("l1"), dir.File("real.csv"));
        File.CreateSymbolicLink(dir.File("l2"), dir.File("l1"));
        Assert.Equal("a,b"u8.ToArray(), InputFile.ReadAllBytes(dir.File("l2")));
    }
}
