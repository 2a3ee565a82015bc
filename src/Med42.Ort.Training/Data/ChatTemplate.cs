// Prompt templates. Each renders a sample into units that start with BOS; a unit is text chunks,
// each marked trainable (assistant text) or not, followed by EOS (trainable). Tags are plain text.
//   Med42:   "\n<|system|>: {system}\n<|prompter|>:{prompt}\n<|assistant|>:\n{answer}" + EOS  (one unit;
//            later turns repeat "\n<|prompter|>:{p}\n<|assistant|>:\n{a}", EOS once at the end)
//   Llama-2: "<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s>" per turn pair
//            (the system block only in the first; omitted when there is no system prompt)
//   plain {"text"}: BOS + text + EOS, every token trainable.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Training.Data;

public enum TemplateKind { Med42, Llama2 }

public sealed record TemplateChunk(string Text, bool Trainable);

public sealed record TemplateUnit(IReadOnlyList<TemplateChunk> Chunks);

public static class ChatTemplate
{
    public const string Med42DefaultSystem = Llama.Chat.Med42Prompt.DefaultSystem;

    /// <summary>The Jinja chat_template for a model fine-tuned with <paramref name="kind"/> (none for Llama-2's, which this project does not write as Jinja).</summary>
    public static string? JinjaFor(TemplateKind kind) => kind == TemplateKind.Med42 ? Llama.Chat.Med42ChatTemplate.Jinja : null;

    public static IReadOnlyList<TemplateUnit> Render(TrainingSample s, TemplateKind kind, string? systemOverride = null)
    {
        if (s.Text is not null) return [new TemplateUnit([new TemplateChunk(s.Text, true)])];
        if (!s.Turns.Any(t => t.Role == "assistant")) throw new Med42Exception($"{s.Position}: sample has no assistant turn");
        var system = s.System ?? systemOverride;
        return kind switch
        {
            TemplateKind.Med42 => [Med42(s, system ?? Med42DefaultSystem)],
            TemplateKind.Llama2 => Llama2(s, system),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static TemplateUnit Med42(TrainingSample s, string system)
    {
        var chunks = new List<TemplateChunk>();
        var prompt = $"\n<|system|>: {system}";
        foreach (var t in s.Turns)
        {
            if (t.Role == "user") prompt += $"\n<|prompter|>:{t.Content}\n<|assistant|>:\n";
            else
            {
                chunks.Add(new(prompt, false));
                chunks.Add(new(t.Content, true));
                prompt = "";
            }
        }
        return new TemplateUnit(chunks); // trailing user turns without an answer are dropped
    }

    private static List<TemplateUnit> Llama2(TrainingSample s, string? system)
    {
        var units = new List<TemplateUnit>();
        string? user = null;
        foreach (var t in s.Turns)
        {
            if (t.Role == "user") { user = t.Content; continue; }
            var sys = units.Count == 0 && system is not null ? $"<<SYS>>\n{system}\n<</SYS>>\n\n" : "";
            units.Add(new TemplateUnit([new($"[INST] {sys}{user ?? ""} [/INST]", false), new($" {t.Content} ", true)]));
            user = null;
        }
        return units;
    }
}
