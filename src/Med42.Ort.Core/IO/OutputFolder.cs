// Every output folder (an export, a checkpoint) is written into a hidden temporary sibling and renamed
// into place at the end, so a failure never leaves a half-written model under the final name. A
// non-empty output folder is refused unless the caller forces it; a replaced folder is swapped out
// only after the new one is complete. Test: Core.Tests/IO/AtomicWriteTests.
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
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
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
}
