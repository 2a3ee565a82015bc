// `med42 export --format gguf` as a user runs it: a .gguf file the other verbs open (and a q8_0 one a
// quarter of its size), and each bad request one `med42: error:` line with exit code 2, nothing written.
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

public class ExportGgufCommandTests
{
    private static string Stories => SharedData.Path("models/stories260K/stories260K.bin");

    [SkippableFact]
    public void ExportsAGgufTheOtherVerbsOpen()
    {
        using var dir = new TempDir();
        var (code, stdout, stderr) = Med42Process.Run("export", "--model", Stories, "--format", "gguf", "--out", dir.File("s.gguf"));
        Assert.True(code == 0, stderr);
        Assert.Contains("wrote", stdout);
        (code, stdout, stderr) = Med42Process.Run("info", "--model", dir.File("s.gguf"));
        Assert.True(code == 0, stderr);
        Assert.Contains("512", stdout);

        (code, _, stderr) = Med42Process.Run("export", "--model", Stories, "--format", "gguf", "--quant", "q8_0", "--out", dir.File("q8"));
        Assert.True(code == 0, stderr);
        var q8 = new FileInfo(Path.Combine(dir.File("q8"), "model.gguf")).Length;
        var f32 = new FileInfo(dir.File("s.gguf")).Length;
        Assert.True(q8 * 3 < f32, $"q8_0 file {q8} bytes vs f32 {f32}"); // 34 bytes per 32 weights instead of 128, plus the shared vocabulary
    }

    [SkippableTheory]
    [InlineData("--quant q5_k", "--quant: unknown value 'q5_k' (expected f32, f16, q8_0 or q4_0)")]
    [InlineData("--quant q8_0 --format-hf", "--quant: only for --format gguf")]
    [InlineData("--tokenizer LLAMA2", "tokenizer has 32000 tokens but the model's vocab_size is 512")]
    [InlineData("--out TAKEN", "output file exists and is not empty (pass --force to replace it)")]
    public void BadRequestsAreOneLineAndWriteNothing(string extra, string message)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("taken.gguf"), "keep");
        var args = new List<string> { "export", "--model", Stories };
        var tokens = extra.Split(' ');
        if (!tokens.Contains("--format-hf")) args.AddRange(["--format", "gguf"]);
        if (!tokens.Contains("--out")) args.AddRange(["--out", dir.File("new.gguf")]);
        foreach (var t in tokens)
            args.Add(t switch
            {
                "--format-hf" => "--format=hf",
                "LLAMA2" => SharedData.Path("tokenizers/llama2/tokenizer.model"),
                "TAKEN" => dir.File("taken.gguf"),
                _ => t,
            });
        var (code, _, stderr) = Med42Process.Run([.. args]);
        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("med42: error: ", lines[0]);
        Assert.Contains(message, lines[0]);
        Assert.Equal(["taken.gguf"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
        Assert.Equal("keep", File.ReadAllText(dir.File("taken.gguf")));
    }
}
