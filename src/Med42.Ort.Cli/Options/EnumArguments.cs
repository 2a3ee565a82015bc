// Rewrites the value of every enum-typed flag from its command-line spelling to the member name before the
// parser sees it ("--format onnx-adapter" → "--format OnnxAdapter"), because the parser binds enums by member
// name only. A value that spells no member is made unparseable, so the parser reports it (and
// ParseErrorText names the accepted spellings) instead of reading "2" as the third member.
namespace Med42.Ort.Cli.Options;

internal static class EnumArguments
{
    private const string NotASpelling = "\u0001";

    public static string[] Normalize(IReadOnlyList<string> args, IReadOnlyList<Type> verbs)
    {
        var result = args.ToArray();
        if (result.Length == 0 || OptionTable.Verb(verbs, result[0]) is not { } verb) return result;
        for (var i = 1; i < result.Length; i++)
        {
            var arg = result[i];
            if (arg == "--") break;
            if (!arg.StartsWith("--", StringComparison.Ordinal)) continue;
            var eq = arg.IndexOf('=');
            if (OptionTable.Find(verb, eq < 0 ? arg[2..] : arg[2..eq]) is not { IsEnum: true } option) continue;
            if (eq >= 0) result[i] = arg[..(eq + 1)] + Spell(option.ValueType, arg[(eq + 1)..]);
            else if (i + 1 < result.Length && !result[i + 1].StartsWith("--", StringComparison.Ordinal)) result[i + 1] = Spell(option.ValueType, result[++i]);
        }
        return result;
    }

    private static string Spell(Type enumType, string text) => EnumSpelling.MemberName(enumType, text) ?? NotASpelling + text;
}
