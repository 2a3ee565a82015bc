// Eight short stories as Alpaca records with distinct prompts ("Story i"): the fine-tuning fixture of the
// stories260K training tests. Only answers are scored, so a model can drive their loss towards 0.
using System.Text.Json;

namespace Med42.Ort.Tests.Shared;

public static class StorySamples
{
    public static readonly string[] Texts =
    [
        "Tom had a red ball. He threw it to his dog.",
        "The sun was hot. Lily went to swim in the lake.",
        "A little bird sat on a tree and sang a song.",
        "Ben was sad because his toy was broken.",
        "Mom made a big cake for the party.",
        "The cat jumped on the bed and fell asleep.",
        "Sara found a shiny rock in the garden.",
        "The boy and the girl played with blocks all day.",
    ];

    /// <summary>Writes the records as JSONL into <paramref name="dir"/> and returns the file's path.</summary>
    public static string WriteJsonl(TempDir dir)
    {
        var path = dir.File("stories.jsonl");
        File.WriteAllLines(path, Texts.Select((s, i) => JsonSerializer.Serialize(new { instruction = $"Story {i}", input = "", output = s })));
        return path;
    }
}
