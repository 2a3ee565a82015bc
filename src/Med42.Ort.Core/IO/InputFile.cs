// The one way an input file named by the user is opened: symbolic links are followed with loop and
// dangling-link detection, a folder where a file is expected is named as such, and every IO failure
// becomes a one-line Med42Exception naming the path. Test: tests/Med42.Ort.Core.Tests/IO/InputFileTests.cs.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.IO;

public static class InputFile
{
    /// <summary>
    /// Checks that <paramref name="path"/> names a readable regular file (through any chain of symbolic links)
    /// and returns it; <paramref name="what"/> says what the file is for ("data file", "task 'medqa' data file").
    /// </summary>
    public static string Resolve(string path, string what = "input file")
    {
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget is { } link)
        {
            FileSystemInfo? target;
            // ResolveLinkTarget(final) follows the whole chain; a cycle makes the kernel answer ELOOP.
            try { target = info.ResolveLinkTarget(returnFinalTarget: true); }
            catch (IOException e) { throw new Med42Exception($"{path}: {what} is a symbolic link loop ({e.Message})", e); }
            if (target is null || !target.Exists)
                throw new Med42Exception($"{path}: {what} is a dangling symbolic link (its target '{link}' does not exist)");
            info = target;
        }
        if (Directory.Exists(path)) throw new Med42Exception($"{path}: {what} is a folder, expected a file");
        if (!info.Exists)
        {
            // A loop in a parent folder also surfaces here: say which, rather than "not found".
            var parent = Path.GetDirectoryName(Path.GetFullPath(path));
            if (parent is not null && !Directory.Exists(parent) && LoopAbove(parent))
                throw new Med42Exception($"{path}: {what}: a folder on its path is a symbolic link loop");
            throw new Med42Exception($"{path}: {what} not found");
        }
        return path;
    }

    /// <summary>Reads the whole file after <see cref="Resolve"/>; IO failures name the path.</summary>
    public static byte[] ReadAllBytes(string path, string what = "input file")
    {
        Resolve(path, what);
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Med42Exception($"{path}: cannot read {what}: {e.Message}", e);
        }
    }

    private static bool LoopAbove(string dir)
    {
        for (var d = dir; d is not null; d = Path.GetDirectoryName(d))
        {
            var info = new DirectoryInfo(d);
            if (info.LinkTarget is null) continue;
            try { info.ResolveLinkTarget(returnFinalTarget: true); }
            catch (IOException) { return true; }
        }
        return false;
    }
}
