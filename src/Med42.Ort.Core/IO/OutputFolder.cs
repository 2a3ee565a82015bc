// Every output folder (an export, a checkpoint) is written into a hidden temporary sibling and renamed
// into place at the end, so a failure never leaves a half-written model under the final name. A
// non-empty output folder is refused unless the caller forces it; a replaced folder is swapped out
// only after the new one is complete, and a deleted one is renamed away first, so a folder under its
// final name is never partial. Temporaries a killed process left behind are removed when the same
// target is written again. Test: Core.Tests/IO/AtomicWriteTests, Core.Tests/IO/StaleTempTests.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.IO;

public static class OutputFolder
{
    /// <summary>Throws when <paramref name="dir"/> exists and is not empty and <paramref name="force"/> is off.</summary>
    public static void CheckWritable(string dir, bool force)
    {
        var full = Path.GetFullPath(dir);
        if (File.Exists(full)) throw new Med42Exception($"{dir}: output path is a file, not a folder");
        if (!force && Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            throw new Med42Exception($"{dir}: output folder exists and is not empty (pass --force to replace it)");
    }

    /// <summary>Runs <paramref name="write"/> on a temporary folder, then renames it to <paramref name="dir"/>.</summary>
    public static void Write(string dir, bool force, Action<string> write)
    {
        CheckWritable(dir, force);
        Replace(dir, write);
    }

    /// <summary>
    /// Like <see cref="Write"/> without the check: an existing <paramref name="dir"/> (a checkpoint of the
    /// same step being rewritten) is replaced once the new folder is complete.
    /// </summary>
    public static void Replace(string dir, Action<string> write)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        RemoveStaleTemps(parent, Path.GetFileName(full));
        var tmp = PendingFile.TempSibling(full);
        Directory.CreateDirectory(tmp);
        try
        {
            write(tmp);
            if (Directory.Exists(full))
            {
                var old = tmp + ".old";
                Directory.Move(full, old);
                Directory.Move(tmp, full);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(tmp, full);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>
    /// Deletes the folder <paramref name="dir"/> by renaming it to a temporary sibling first: a kill during the
    /// recursive delete leaves a hidden temporary (removed later by <see cref="RemoveStaleTemps"/>), never a partial
    /// folder under the final name.
    /// </summary>
    public static void Delete(string dir)
    {
        var doomed = PendingFile.TempSibling(dir);
        Directory.Move(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar), doomed);
        Directory.Delete(doomed, recursive: true);
    }

    /// <summary>
    /// Removes the temporary files and folders (PendingFile's ".name.tmp-&lt;guid&gt;…" naming) that an interrupted
    /// write left in <paramref name="dir"/>: those of <paramref name="targetName"/> only, or all of them when it is null
    /// (a verb that owns the whole folder, such as a training run). Returns how many were removed.
    /// </summary>
    public static int RemoveStaleTemps(string dir, string? targetName = null)
    {
        if (!Directory.Exists(dir)) return 0;
        var removed = 0;
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir).ToList())
        {
            if (!PendingFile.IsTempSibling(Path.GetFileName(entry), targetName)) continue;
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
            removed++;
        }
        return removed;
    }
}
