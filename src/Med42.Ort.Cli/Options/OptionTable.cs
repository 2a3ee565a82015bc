// The options a verb declares (its [Option] properties, inherited ones included), found by long name: what the
// argument normaliser and the parse-error messages need to know about a flag (its type, the values it takes).
using System.Reflection;
using CommandLine;

namespace Med42.Ort.Cli.Options;

internal sealed record OptionInfo(string LongName, PropertyInfo Property)
{
    /// <summary>The property's type without Nullable: TrainingMode for a TrainingMode? flag.</summary>
    public Type ValueType => Nullable.GetUnderlyingType(Property.PropertyType) ?? Property.PropertyType;

    public bool IsEnum => ValueType.IsEnum;
}

internal static class OptionTable
{
    public static string VerbName(Type verb) => verb.GetCustomAttribute<VerbAttribute>()?.Name ?? verb.Name;

    public static Type? Verb(IEnumerable<Type> verbs, string name) => verbs.FirstOrDefault(v => VerbName(v) == name);

    public static IReadOnlyList<OptionInfo> Of(Type verb) => verb.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<OptionAttribute>() is not null)
        .Select(p => new OptionInfo(p.GetCustomAttribute<OptionAttribute>()!.LongName, p))
        .ToList();

    public static OptionInfo? Find(Type verb, string longName) => Of(verb).FirstOrDefault(o => o.LongName == longName);

    /// <summary>The text given for --<paramref name="longName"/> (the last occurrence, "--x v" or "--x=v"), or null.</summary>
    public static string? RawValue(IReadOnlyList<string> args, string longName)
    {
        string? value = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--" + longName && i + 1 < args.Count) value = args[i + 1];
            else if (args[i].StartsWith("--" + longName + "=", StringComparison.Ordinal)) value = args[i][(longName.Length + 3)..];
        }
        return value;
    }
}
