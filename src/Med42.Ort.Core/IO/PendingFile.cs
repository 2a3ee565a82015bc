// One file being written: a hidden temporary sibling of its target ("dir/.name.tmp-<guid>.ext") that
// Commit flushes to disk and renames onto the target, so a reader never finds a half-written file under
// the final name, even after a crash. Disposed without Commit (the write failed), the temporary is
// deleted and an existing target is left as it was. Several PendingFiles committed one after the other
// publish a set of files (a model and its external data, shards and their index).
// Test: Core.Tests/IO/AtomicWriteTests.
using System.Text.RegularExpressions;

namespace Med42.Ort.Core.IO;

public sealed partial class PendingFile : IDisposable
{
    private PendingFile(string targetPath)
    {
        TargetPath = targetPath;
        TempPath = TempSibling(targetPath);
    }

    /// <summary>The final path (absolute).</summary>
    public string TargetPath { get; }

    /// <summary>Where the content is written until <see cref="Commit"/>.</summary>
    public string TempPath { get; }

    /// <summary>Starts writing <paramref name="path"/>; creates its folder when missing.</summary>
    public static PendingFile Create(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new PendingFile(full);
    }

    /// <summary>A new, exclusive stream on the temporary file.</summary>
    public FileStream OpenWrite(int bufferSize = 4096) =>
        new(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize);

    /// <summary>Flushes the temporary file to disk, then renames it onto the target (replacing an existing file).</summary>
    public void Commit()
    {
        // fsync before the rename: otherwise a crash can leave the new name pointing at data never written.
        using (var s = new FileStream(TempPath, FileMode.Open, FileAccess.Write)) s.Flush(flushToDisk: true);
        File.Move(TempPath, TargetPath, overwrite: true);
    }

    public void Dispose()
    {
        if (File.Exists(TempPath)) File.Delete(TempPath);
    }

    /// <summary>
    /// A unique hidden sibling name for a file or folder being written: the target's name after a dot, then
    /// ".tmp-" and a GUID, then the target's extension again for writers that pick the format from it.
    /// </summary>
    public static string TempSibling(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        var name = Path.GetFileName(full);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{name}.tmp-{Guid.NewGuid():N}{Path.GetExtension(name)}");
    }

    /// <summary>
    /// Whether <paramref name="entryName"/> (a file or folder name, no directory) is a temporary sibling made by
    /// <see cref="TempSibling"/> — of <paramref name="targetName"/> when given, of any target otherwise — including
    /// the ".old" folder a replacement parks and a folder being deleted (OutputFolder.Delete).
    /// </summary>
    public static bool IsTempSibling(string entryName, string? targetName = null) =>
        TargetOf(entryName) is string target && (targetName is null || target == targetName);

    /// <summary>The target name a temporary sibling's name stands for (".a.json.tmp-&lt;guid&gt;.json" → "a.json"), or null
    /// when <paramref name="entryName"/> is not one: error messages name the target, not the temporary.</summary>
    public static string? TargetOf(string entryName)
    {
        var m = TempName().Match(entryName);
        return m.Success ? m.Groups["target"].Value : null;
    }

    // ".<target>.tmp-<32 hex digits>" then anything (the target's extension again, ".old"): the GUID makes an accidental
    // match with a user's file practically impossible.
    [GeneratedRegex(@"^\.(?<target>.+)\.tmp-[0-9a-f]{32}", RegexOptions.CultureInvariant)]
    private static partial Regex TempName();
}
