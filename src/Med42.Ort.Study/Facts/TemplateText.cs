// Template rendering and the text matching the leakage checker relies on.
// Matching is case-insensitive on whole words, so "iron" does not match "environment".
using System.Text;
using System.Text.RegularExpressions;

namespace Med42.Ort.Study.Facts;

public static partial class TemplateText
{
    [GeneratedRegex(@"\{[sSoO]\}")]
    private static partial Regex Placeholder();

    /// <summary>Replaces {s}, {S}, {o}, {O} with the subject / object (capitalised forms upper-case the first letter).</summary>
    public static string Render(string template, string subject, string obj) =>
        template.Replace("{s}", subject).Replace("{S}", Capitalize(subject))
                .Replace("{o}", obj).Replace("{O}", Capitalize(obj));

    public static bool HasSubject(string template) => template.Contains("{s}") || template.Contains("{S}");
    public static bool HasObject(string template) => template.Contains("{o}") || template.Contains("{O}");

    /// <summary>Placeholders other than {s} {S} {o} {O}, e.g. "{x}", that would leak into the text.</summary>
    public static bool HasUnknownPlaceholder(string template) => Placeholder().Replace(template, "").Contains('{');

    public static string Capitalize(string text) =>
        text.Length == 0 || !char.IsLower(text[0]) ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>The literal text between placeholders, normalised, keeping pieces of at least minWords words.</summary>
    public static IReadOnlyList<string> LiteralFragments(string template, int minWords) =>
        Placeholder().Split(template).Select(Normalize)
            .Where(f => f.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= minWords).ToList();

    /// <summary>Lower-cased with every whitespace run collapsed to one space and trimmed.</summary>
    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }

    /// <summary>Whether normalisedText contains normalisedTerm as a whole-word match (no letter or digit on either side).</summary>
    public static bool ContainsTerm(string normalisedText, string normalisedTerm)
    {
        if (normalisedTerm.Length == 0) return false;
        for (var at = normalisedText.IndexOf(normalisedTerm, StringComparison.Ordinal); at >= 0;
             at = normalisedText.IndexOf(normalisedTerm, at + 1, StringComparison.Ordinal))
        {
            var end = at + normalisedTerm.Length;
            var before = at == 0 || !char.IsLetterOrDigit(normalisedText[at - 1]);
            var after = end == normalisedText.Length || !char.IsLetterOrDigit(normalisedText[end]);
            if (before && after) return true;
        }
        return false;
    }
}
