// Greedy generation on stories260K reproduces llama2.c's published outputs byte for byte.
// The expected texts are read from ../shared/data/MANIFEST.md §1.1 (a), (b), (c) — the published
// references — never from our own output.
using System.Text;
using System.Text.RegularExpressions;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Runtime.Tests;

public class Stories260KGenerationTests
{
    private static string Generate(string prompt, int steps)
    {
        using var model = LoadedModel.Open(SharedData.Path("models/stories260K/stories260K.bin"), SharedData.Path("models/stories260K/tok512.model"));
        using var decoder = ModelLoader.CreateDecoder(model.Config, model.Weights, new SessionSettings());
        var bytes = new List<byte>();
        new Generator(decoder).Generate([model.Tokenizer.Encode(prompt)], new GenerationOptions
        {
            Steps = steps,
            StopIds = new HashSet<int> { model.Tokenizer.BosId },
        }, (_, prev, id) => bytes.AddRange(model.Tokenizer.DecodePiece(prev, id)));
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static string[] ManifestBlocks()
    {
        var text = File.ReadAllText(SharedData.Path("MANIFEST.md"));
        var section = text[text.IndexOf("#### Reference greedy generations", StringComparison.Ordinal)..];
        return Regex.Matches(section, "```\n(.*?)\n```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).Take(3).ToArray();
    }

    // Text (a) is a Python bytes literal b'...': undo its escapes.
    private static string PythonBytesLiteral(string literal)
    {
        var body = literal.Trim()[2..^1];
        return Regex.Replace(body, @"\\(n|'|""|\\)", m => m.Groups[1].Value switch { "n" => "\n", var c => c });
    }

    [SkippableFact]
    public void TwoHundredStepsPrintTextA() => Assert.Equal(PythonBytesLiteral(ManifestBlocks()[0]), Generate("", 200));

    [SkippableFact]
    public void DefaultStepsPrintTextB() => Assert.Equal(ManifestBlocks()[1], Generate("", 256));

    [SkippableFact]
    public void PromptZooPrintsTextC() => Assert.Equal(ManifestBlocks()[2], Generate("Zoo", 60));

    [SkippableFact]
    public void PromptOnceUponATimePrintsTextB() => Assert.Equal(ManifestBlocks()[1], Generate("Once upon a time", 256));
}
