// The default of a flag as help shows it, read from the code that applies it, never restated by hand:
//   - an [Overrides] flag: the field it overrides in the record the verb starts from without a recipe ([DefaultsFrom]);
//   - any other flag: the parser's Default, else the property's value in a fresh instance of the verb.
// Null, an empty string or list, and a switch that is off have no default worth showing (the help text says
// what happens when the flag is omitted, e.g. "found beside the model").
using System.Collections;
using System.Globalization;
using System.Reflection;
using CommandLine;

namespace Med42.Ort.Cli.Options;

internal static class FlagDefaults
{
    /// <summary>"0.0002", "cosine", "q_proj,v_proj", or null when the flag has no default.</summary>
    public static string? Text(Type verb, OptionInfo option)
    {
        var value = Value(verb, option);
        return value switch
        {
            null => null,
            false when option.ValueType == typeof(bool) && option.Property.PropertyType == typeof(bool) => null, // a switch: off unless given
            string s => s.Length == 0 ? null : s,
            Enum e => EnumSpelling.Name(e),
            IEnumerable list => list.Cast<object>().ToList() is { Count: > 0 } items ? string.Join(",", items.Select(Format)) : null,
            _ => Format(value),
        };
    }

    /// <summary>The value the verb uses when the flag is not given (see the file comment), or null.</summary>
    public static object? Value(Type verb, OptionInfo option)
    {
        if (option.Property.GetCustomAttribute<OverridesAttribute>() is { } overrides)
        {
            var source = verb.GetCustomAttribute<DefaultsFromAttribute>()
                ?? throw new InvalidOperationException($"{verb.Name}: [Overrides] flags need [DefaultsFrom] on the verb");
            object? current = source.Create();
            foreach (var name in overrides.Path)
            {
                var property = current!.GetType().GetProperty(name)
                    ?? throw new InvalidOperationException($"--{option.LongName}: {source.Type.Name} has no {string.Join(".", overrides.Path)}");
                current = property.GetValue(current);
                if (current is null) return null;
            }
            return current;
        }
        if (option.Property.GetCustomAttribute<OptionAttribute>()!.Default is { } declared) return declared;
        return option.Property.GetValue(Activator.CreateInstance(verb));
    }

    private static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => EnumSpelling.Name(e),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
