// The chat_template every writer puts into tokenizer_config.json, rendered by jinja2 (the engine of
// transformers' apply_chat_template; golden from tools/goldens/chat_template.py), is byte-identical to
// the text ChatTemplate renders for training — system + multi-turn, the default system prompt, and a
// generation prompt (a conversation ending with a user turn: the text up to the answer).
using System.Text.Json;
using Med42.Ort.Llama.Chat;
using Med42.Ort.Training.Data;

namespace Med42.Ort.Export.Tests.Hf;

public class ChatTemplateGoldenTests
{
    private static JsonElement Golden()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Goldens", "chat_template.json")));
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
        return doc.RootElement.Clone();
    }

    [Fact]
    public void GoldenWasRenderedFromTheShippedTemplate() =>
        Assert.Equal(Med42ChatTemplate.Jinja, Golden().GetProperty("template").GetString());

    [Fact]
    public void Jinja2Rendering_EqualsChatTemplateRender()
    {
        var cases = Golden().GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(3, cases.Length);
        foreach (var c in cases)
        {
            var messages = c.GetProperty("messages").EnumerateArray()
                .Select(m => (Role: m.GetProperty("role").GetString()!, Content: m.GetProperty("content").GetString()!)).ToList();
            var system = messages[0].Role == "system" ? messages[0].Content : null;
            var turns = messages.Where(m => m.Role != "system").Select(m => new ChatTurn(m.Role, m.Content)).ToList();
            // ChatTemplate renders only answered turns; a generation prompt is the text before a placeholder answer.
            var generation = turns[^1].Role == "user";
            if (generation) turns.Add(new ChatTurn("assistant", "placeholder"));
            var unit = Assert.Single(ChatTemplate.Render(new TrainingSample { System = system, Turns = turns, Position = "golden" }, TemplateKind.Med42));
            var chunks = generation ? unit.Chunks.Take(unit.Chunks.Count - 1) : unit.Chunks;
            Assert.Equal(c.GetProperty("rendered").GetString(), string.Concat(chunks.Select(k => k.Text)));
        }
    }
}
