// Enum values in recipes and result files as snake_case strings ("qlora", "chat_letter"), read strictly:
// an unknown value fails naming the accepted ones, numbers are refused, case is ignored. A member's
// [JsonStringEnumMemberName] replaces its snake_case spelling (McqStyle.TextMutualInfo is "text_mi").
// Writes the same spellings JsonStringEnumConverter(SnakeCaseLower) writes, so fingerprints of configs are unchanged.
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Med42.Ort.Training.Trainer;

public sealed class RecipeEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    /// <summary>The recipe spelling of <paramref name="value"/>, e.g. "text_mi".</summary>
    public static string Name<T>(T value) where T : struct, Enum => Spellings<T>.ByValue[value];

    /// <summary>Every accepted spelling, in declaration order: "base, full or lora".</summary>
    public static string Expected<T>() where T : struct, Enum => Spellings<T>.Expected;

    /// <summary>The value spelled <paramref name="text"/> (spelling or member name, any case), or null.</summary>
    public static T? Parse<T>(string text) where T : struct, Enum =>
        Spellings<T>.ByName.TryGetValue(text, out var v) ? v : null;

    private static class Spellings<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> ByValue = [];
        public static readonly Dictionary<string, T> ByName = new(StringComparer.OrdinalIgnoreCase);
        public static readonly string Expected;

        static Spellings()
        {
            var names = new List<string>();
            foreach (var field in typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var value = (T)field.GetValue(null)!;
                var name = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(field.Name);
                ByValue.TryAdd(value, name);
                ByName.TryAdd(name, value);
                ByName.TryAdd(field.Name, value);
                names.Add(name);
            }
            Expected = names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
        }
    }

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected {Spellings<T>.Expected}, got {reader.TokenType}");
            var text = reader.GetString() ?? "";
            return Parse<T>(text) ?? throw new JsonException($"unknown value '{text}' (expected {Spellings<T>.Expected})");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));
    }
}
