// Whole-file writes that never leave a half-written target: each goes through a PendingFile (temporary
// sibling, flush to disk, rename). The one way the toolkit writes an output file.
// Test: Core.Tests/IO/AtomicWriteTests.
using System.Text;

namespace Med42.Ort.Core.IO;

public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="path"/> through a stream on its temporary sibling.</summary>
    public static void Write(string path, Action<Stream> write, int bufferSize = 4096)
    {
        using var pending = PendingFile.Create(path);
        using (var s = pending.OpenWrite(bufferSize)) write(s);
        pending.Commit();
    }

    /// <summary>
    /// For writers that take a path rather than a stream (plot libraries, file formats with their own
    /// writer): <paramref name="writeTo"/> creates the temporary file whose path it is given.
    /// </summary>
    public static void WriteVia(string path, Action<string> writeTo)
    {
        using var pending = PendingFile.Create(path);
        writeTo(pending.TempPath);
        pending.Commit();
    }

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>UTF-8 without a byte-order mark, as File.WriteAllText writes by default.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8NoBom.GetBytes(text));
}
