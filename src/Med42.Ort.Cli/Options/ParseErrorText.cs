// Parser errors as one line (Program prints it after "med42: error: " and exits 2), instead of the parser's
// error block followed by the whole help: "--mode: unknown value 'x' (expected full, lora or qlora)",
// "--lr: 'abc' is not a number", "--model is required", "--lr-rate: unknown option (med42 train --help lists them)";
// a misspelt verb or flag close to a known one gets "did you mean" (Suggestions): "--lora-rnak: unknown option
// (did you mean --lora-rank?)".
using CommandLine;

namespace Med42.Ort.Cli.Options;

internal static class ParseErrorText
{
    public static string Describe(IEnumerable<Error> errors, Type? verb, IReadOnlyList<string> args, IReadOnlyList<Type> verbs)
    {
        var list = errors.ToList();
        // A required flag given a bad value is reported once, as the bad value.
        var badValues = list.OfType<BadFormatConversionError>().Select(e => e.NameInfo.LongName).ToHashSet();
        list.RemoveAll(e => e is MissingRequiredOptionError m && badValues.Contains(m.NameInfo.LongName));
        return string.Join("; ", list.Select(e => Describe(e, verb, args, verbs)).Distinct());
    }

    private static string Describe(Error error, Type? verb, IReadOnlyList<string> args, IReadOnlyList<Type> verbs)
    {
        var help = verb is null ? "med42 --help" : $"med42 {OptionTable.VerbName(verb)} --help";
        return error switch
        {
            BadVerbSelectedError e => Suggestions.Closest(e.Token, verbs.Select(OptionTable.VerbName)) is { } near
                ? $"unknown verb '{e.Token}' (did you mean {near}?)"
                : $"unknown verb '{e.Token}' (expected {string.Join(", ", verbs.Select(OptionTable.VerbName))})",
            UnknownOptionError e => verb is not null && ClosestFlag(verb, e.Token) is { } near
                ? $"{Flag(e.Token)}: unknown option (did you mean --{near}?)"
                : $"{Flag(e.Token)}: unknown option ({help} lists them)",
            MissingRequiredOptionError e => $"--{e.NameInfo.LongName} is required",
            MissingValueOptionError e => $"--{e.NameInfo.LongName} needs a value",
            RepeatedOptionError e => $"--{e.NameInfo.LongName} is given more than once",
            BadFormatConversionError e => BadValue(e.NameInfo.LongName, verb, args),
            SetValueExceptionError e => $"--{e.NameInfo.LongName}: {e.Exception.Message}",
            TokenError e => $"'{e.Token}': {error.Tag} ({help})",
            NamedError e => $"--{e.NameInfo.LongName}: {error.Tag} ({help})",
            _ => $"{error.Tag} ({help})",
        };
    }

    // The verb's flag closest to the typed name, counting aliases (a near --learning_rate suggests --lr).
    private static string? ClosestFlag(Type verb, string token)
    {
        var names = OptionTable.Of(verb).Select(o => o.LongName).ToList();
        var aliases = FlagAliases.Table.Where(kv => names.Contains(kv.Value)).ToList();
        var near = Suggestions.Closest(token, names.Concat(aliases.Select(kv => kv.Key)));
        return near is null ? null : FlagAliases.Resolve(verb, near);
    }

    private static string Flag(string token) => token.Length == 1 ? "-" + token : "--" + token;

    private static string BadValue(string name, Type? verb, IReadOnlyList<string> args)
    {
        var raw = OptionTable.RawValue(args, name);
        var option = verb is null ? null : OptionTable.Find(verb, name);
        if (option is { IsEnum: true }) return $"--{name}: unknown value '{raw}' (expected {EnumSpelling.Expected(option.ValueType)})";
        var expected = option?.ValueType switch
        {
            { } t when t == typeof(int) || t == typeof(long) => "an integer",
            { } t when t == typeof(ulong) => "a non-negative integer",
            { } t when t == typeof(double) || t == typeof(float) => "a number",
            { } t when t == typeof(bool) => "true or false",
            _ => "a valid value",
        };
        return $"--{name}: '{raw}' is not {expected}";
    }
}
