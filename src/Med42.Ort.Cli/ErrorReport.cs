// The one-line report of an error the user can act on: bad input (Med42Exception, already "file: position: what"),
// a file-system fault (disk full, permission denied, a file where a folder is expected: IOException and
// UnauthorizedAccessException, whose .NET messages quote the path) and an ONNX Runtime or GenAI failure. Paths of the
// temporary siblings an atomic write uses are shown as the target they stand for. Test: Cli.Tests/ErrorReportTests.
using System.Text.RegularExpressions;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Med42.Ort.Cli;

internal static partial class ErrorReport
{
    /// <summary>Whether <paramref name="e"/> is reported as one line with exit 2 (anything else is a bug).</summary>
    public static bool IsUserFacing(Exception e) =>
        e is Med42Exception or IOException or UnauthorizedAccessException or OnnxRuntimeException or OnnxRuntimeGenAIException;

    /// <summary>The exception that carries the report: an aggregate of one user-facing exception stands for it.</summary>
    public static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0])
        : e is TypeInitializationException { InnerException: { } inner } ? Unwrap(inner) : e;

    /// <summary>"&lt;path&gt;: &lt;what&gt;" (or "&lt;component&gt;: &lt;what&gt;" when no path is known), on one line.</summary>
    public static string Line(Exception e)
    {
        var message = OneLine(e.Message);
        if (e is Med42Exception) return message;
        var quoted = QuotedPath().Match(message);
        if (quoted.Success)
        {
            var what = message.Remove(quoted.Index, quoted.Length).Replace(" :", "").Replace("  ", " ").Trim().TrimEnd('.');
            return $"{Target(quoted.Groups["path"].Value)}: {what}";
        }
        return e switch
        {
            OnnxRuntimeException => $"ONNX Runtime: {message}",
            OnnxRuntimeGenAIException => $"ONNX Runtime GenAI: {message}",
            _ => message,
        };
    }

    // A path with its temporary components (".name.tmp-<guid>…") replaced by the names they stand for.
    internal static string Target(string path) =>
        string.Join('/', path.Split('/').Select(c => PendingFile.TargetOf(c) ?? c));

    private static string OneLine(string text) => WhiteSpace().Replace(text, " ").Trim();

    // .NET quotes the path in its IO messages: "Access to the path '/x/y' is denied.", "No space left on device : '/x'".
    [GeneratedRegex(@"'(?<path>(/|[A-Za-z]:\\)[^']*)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedPath();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhiteSpace();
}
