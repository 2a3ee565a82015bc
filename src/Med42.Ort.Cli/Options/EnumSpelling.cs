// How enum values are spelled on the command line: a member's kebab-case name (Qlora → qlora, OnnxAdapter →
// onnx-adapter) or the spellings its [CliName] lists, case-insensitive. Numbers are not spellings, so
// `--mode 2` is an unknown value rather than qlora.
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace Med42.Ort.Cli.Options;

internal static class EnumSpelling
{
    private sealed record Member(string Name, IReadOnlyList<string> Spellings);

    private static readonly ConcurrentDictionary<Type, IReadOnlyList<Member>> Cache = new();

    /// <summary>The canonical spelling of each member, in declaration order.</summary>
    public static IReadOnlyList<string> Names(Type enumType) => Members(enumType).Select(m => m.Spellings[0]).ToList();

    /// <summary>"full, lora or qlora".</summary>
    public static string Expected(Type enumType)
    {
        var names = Names(enumType);
        return names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
    }

    /// <summary>The member name <paramref name="text"/> spells ("onnx-adapter" → "OnnxAdapter"), or null.</summary>
    public static string? MemberName(Type enumType, string text) =>
        Members(enumType).FirstOrDefault(m => m.Spellings.Contains(text, StringComparer.OrdinalIgnoreCase))?.Name;

    /// <summary>The canonical spelling of <paramref name="value"/>.</summary>
    public static string Name(Enum value) => Members(value.GetType()).First(m => m.Name == value.ToString()).Spellings[0];

    private static IReadOnlyList<Member> Members(Type enumType) => Cache.GetOrAdd(enumType, t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => new Member(f.Name, f.GetCustomAttribute<CliNameAttribute>()?.Spellings ?? [JsonNamingPolicy.KebabCaseLower.ConvertName(f.Name)]))
        .ToList());
}
