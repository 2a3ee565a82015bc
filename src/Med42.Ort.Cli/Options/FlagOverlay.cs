// Flags over a recipe: every [Overrides] property of a verb that was given (not null, a switch that is on,
// a non-empty list) replaces the record field its path names; nested records (TrainOptions.Lora) are copied
// along the path, so the recipe itself is never changed. Records are copied with the compiler's clone method
// and set through their init accessors, as `with` does.
// Validation errors are then blamed on what set the field: a flag that was given (or any flag when there is no
// recipe) is named as "--flag problem"; a field the recipe set keeps the recipe file in the message.
using System.Reflection;
using System.Text.Json;
using CommandLine;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Cli.Options;

internal sealed class FlagOverlay
{
    /// <summary>One flag: its name, the record path it overrides, that path as validation names it ("lora.rank"), and its value when given.</summary>
    public sealed record Binding(string Flag, IReadOnlyList<string> Path, string Key, object? Value);

    private FlagOverlay(IReadOnlyList<Binding> bindings) => Bindings = bindings;

    public IReadOnlyList<Binding> Bindings { get; }

    /// <summary>The [Overrides] flags of <paramref name="flags"/> (a parsed verb), with the values given.</summary>
    public static FlagOverlay Of(object flags) => new(flags.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<OverridesAttribute>() is not null)
        .Select(p =>
        {
            var option = p.GetCustomAttribute<OptionAttribute>() ?? throw new InvalidOperationException($"{p.Name}: [Overrides] needs an [Option]");
            var path = p.GetCustomAttribute<OverridesAttribute>()!.Path;
            return new Binding(option.LongName, path, KeyOf(path), Given(p.PropertyType, p.GetValue(flags)));
        }).ToList());

    /// <summary>The key a record's Validate() names for a property path: snake_case segments joined by '.'.</summary>
    public static string KeyOf(IEnumerable<string> path) => string.Join(".", path.Select(JsonNamingPolicy.SnakeCaseLower.ConvertName));

    /// <summary>A copy of <paramref name="record"/> with every given flag applied.</summary>
    public T Apply<T>(T record) where T : class
    {
        object result = record;
        foreach (var b in Bindings.Where(b => b.Value is not null)) result = With(result, b.Path, 0, b.Value!, b.Flag);
        return (T)result;
    }

    /// <summary>Runs <paramref name="validate"/>; a field error caused by a flag is rethrown naming the flag.</summary>
    public T Validate<T>(Func<T> validate, bool hasRecipe)
    {
        try { return validate(); }
        catch (Med42Exception e) when (e.Key is not null && Bindings.FirstOrDefault(b => b.Key == e.Key && (b.Value is not null || !hasRecipe)) is { } flag)
        {
            throw new Med42Exception($"--{flag.Flag} {e.Problem}");
        }
    }

    // Not given: null, a switch (bool, not bool?) left off, an empty list (the parser's value for a list flag not on the command line).
    private static object? Given(Type type, object? value) => value switch
    {
        null => null,
        false when type == typeof(bool) => null,
        IEnumerable<string> list => list.ToList() is { Count: > 0 } l ? l : null,
        _ => value,
    };

    private static object With(object target, IReadOnlyList<string> path, int depth, object value, string flag)
    {
        var type = target.GetType();
        var property = type.GetProperty(path[depth]) ?? throw new InvalidOperationException($"--{flag}: {type.Name} has no property {path[depth]}");
        var clone = type.GetMethod("<Clone>$") ?? throw new InvalidOperationException($"--{flag}: {type.Name} is not a record");
        var copy = clone.Invoke(target, null)!;
        if (depth + 1 < path.Count)
        {
            var inner = property.GetValue(target) ?? throw new InvalidOperationException($"--{flag}: {type.Name}.{property.Name} is null");
            value = With(inner, path, depth + 1, value, flag);
        }
        else if (!property.PropertyType.IsInstanceOfType(value))
            throw new InvalidOperationException($"--{flag}: a {value.GetType().Name} does not fit {type.Name}.{property.Name} ({property.PropertyType.Name})");
        property.SetValue(copy, value);
        return copy;
    }
}
