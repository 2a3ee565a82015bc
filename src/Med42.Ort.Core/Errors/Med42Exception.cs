// The one exception type for bad input the user can fix: the CLI prints its message on one line
// and exits non-zero. Messages name the file and the position (line, tensor, offset). Text quoted
// from an input (a key, a token, a value) may hold line breaks or other control characters; they are
// escaped here so the message stays one line whatever the file holds.
using System.Globalization;
using System.Text;

namespace Med42.Ort.Core.Errors;

public class Med42Exception : Exception
{
    public Med42Exception(string message) : base(OneLine(message)) { }
    public Med42Exception(string message, Exception inner) : base(OneLine(message), inner) { }

    /// <summary>"file: position: message", the shape every format error takes.</summary>
    public static Med42Exception At(string file, string position, string message) => new($"{file}: {position}: {message}");

    /// <summary>
    /// "source: 'key' problem", the shape every configuration error takes. Key and Problem are kept apart so a caller
    /// that knows where the value came from can say so (the CLI names the flag that set the key, not the recipe file).
    /// </summary>
    public static Med42Exception ForKey(string source, string key, string problem) => new($"{source}: '{key}' {problem}") { Key = key, Problem = problem };

    /// <summary>The configuration key path in snake_case ("lr", "lora.rank", "runs[1].lora.rank") of an error made by ForKey.</summary>
    public string? Key { get; private init; }

    /// <summary>What is wrong with the value at <see cref="Key"/>, e.g. "must be positive, got 0".</summary>
    public string? Problem { get; private init; }
    /// <summary><paramref name="text"/> with control characters and Unicode line separators written as \n, \r, \t or \uXXXX.</summary>
    public static string OneLine(string text)
    {
        if (!text.Any(NeedsEscape)) return text;
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (!NeedsEscape(c)) sb.Append(c);
            else sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
