// How the study's own multiple-choice sets are presented and scored (benchmarks always use the harness
// protocol). A config lists one or more, comma-separated (mcq_style: text_mi,letter): the first names the
// tasks study_*, the others add study_*@style tasks for comparison.
using System.Text.Json;
using System.Text.Json.Serialization;
using Med42.Ort.Study.Facts;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Study.Pipeline;

public enum McqStyle
{
    /// <summary>Harness medqa_4options prompt, letters " A".." D" scored (acc).</summary>
    Letter,
    /// <summary>"Question: q\nAnswer:" then each option's text (harness v0.3 cloze style), acc_norm.</summary>
    Text,
    /// <summary>As text, scored by mutual information: ll(option | question) − ll(option | "Answer:") (harness acc_mutual_info).</summary>
    [JsonStringEnumMemberName("text_mi")] TextMutualInfo,
    /// <summary>The question in the Med42 chat template, each option's text as the assistant's reply, acc_norm.</summary>
    Chat,
    /// <summary>The medqa_4options prompt in the Med42 chat template (as the practice records), the letter as the reply (acc).</summary>
    ChatLetter,
}

public static class McqStyleExtensions
{
    public const string UnconditionalContext = "Answer:";

    /// <summary>The recipe spelling: letter, text, text_mi, chat, chat_letter.</summary>
    public static string Name(this McqStyle style) => RecipeEnumConverter.Name(style);

    /// <summary>"study_heldin" for the first listed style, "study_heldin@text" for the others.</summary>
    public static string TaskName(string task, McqStyle style, IReadOnlyList<McqStyle> styles) => style == styles[0] ? task : $"{task}@{style.Name()}";

    public static string Metric(this McqStyle style) => style switch
    {
        McqStyle.Letter or McqStyle.ChatLetter => "acc",
        McqStyle.TextMutualInfo => "acc_mutual_info",
        _ => "acc_norm",
    };

    private static string ChatPrompt(string prompt) =>
        $"\n<|system|>: {Training.Data.ChatTemplate.Med42DefaultSystem}\n<|prompter|>:{prompt}\n<|assistant|>:\n";

    /// <summary>(context, continuation) per option, for the styles scored outside the harness runner (all but letter).</summary>
    public static IEnumerable<(string Context, string Continuation)> Requests(this McqStyle style, string question, IReadOnlyList<string> choices) => style switch
    {
        McqStyle.Text or McqStyle.TextMutualInfo => choices.Select(c => ($"Question: {question}\nAnswer:", " " + c)),
        McqStyle.Chat => choices.Select(c => (ChatPrompt(question), c)),
        McqStyle.ChatLetter => choices.Select((_, i) => (ChatPrompt(new McqItem("", "", "", "", "", question, choices, 0).MedQaPrompt()), McqItem.Letters[i])),
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, null),
    };
}

/// <summary>A style list as recipes spell it: one comma-separated string ("text_mi,letter"), written back the same way.</summary>
public sealed class McqStyleListConverter : JsonConverter<IReadOnlyList<McqStyle>>
{
    public override IReadOnlyList<McqStyle> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"expected comma-separated styles of {RecipeEnumConverter.Expected<McqStyle>()}, got {reader.TokenType}");
        var styles = new List<McqStyle>();
        foreach (var name in (reader.GetString() ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            styles.Add(RecipeEnumConverter.Parse<McqStyle>(name) ?? throw new JsonException($"unknown style '{name}' (expected {RecipeEnumConverter.Expected<McqStyle>()})"));
        return styles;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<McqStyle> value, JsonSerializerOptions options) =>
        writer.WriteStringValue(string.Join(",", value.Select(s => s.Name())));
}
