// End-to-end regressions of faults that once ended with exit 0 or a crash, through the command line as a user
// meets them: absurd learning rates that destroy the model must stop the run naming the step (never a normal end
// with a collapsed model, never a recommended checkpoint holding the destroyed weights), and `generate` on a model
// whose head size GroupQueryAttention refuses must decode with the default --attention auto and refuse gqa by name;
// `eval --output` into a folder holding earlier results is refused before any scoring unless --force replaces it whole.
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

public class HardeningCommandTests
{
    private static string TinyGguf => SharedData.Path("models/llama-2-tiny-random-gguf/llama-2-tiny-random.gguf");

    // stories260K full fine-tuning: at lr 1e6 the first update saturates every unit, the logits go uniform (loss ln 512)
    // and the gradient vanishes; at 1e20 the first update overflows and the next step's gradient norm (or loss) is not finite.
    [SkippableTheory]
    [InlineData("1e6", "the loss has sat at ln V = 6.2383 (uniform logits) with gradient norm 0 for 3 steps: the model collapsed")]
    [InlineData("1e20", ": non-finite ")]
    public void AbsurdLearningRatesStopTheRunNamingTheStep(string lr, string why)
    {
        using var d = new TempDir();
        var output = d.File("run");
        var (code, _, stderr) = Med42Process.Run(TimeSpan.FromMinutes(5), "train",
            "--model", SharedData.Path("models/stories260K/stories260K.bin"), "--tokenizer", SharedData.Path("models/stories260K/tok512.model"),
            "--data", StorySamples.WriteJsonl(d), "--mode", "full", "--max-steps", "12", "--lr", lr, "--batch-size", "4", "--seq-len", "64",
            "--packing", "false", "--system-prompt", "Tell a story.", "--save-every", "1", "--threads", "1", "--seed", "1", "--out", output);
        Assert.Equal(2, code);
        var error = Assert.Single(stderr.Split('\n'), l => l.StartsWith("med42: error: ", StringComparison.Ordinal));
        Assert.Matches(@"^med42: error: step \d+: ", error);
        Assert.Contains(why, error);
        if (lr == "1e20") Assert.Contains("training stopped before updating the parameters", error);
        // Every checkpoint saved so far holds parameters after at least one destroying update: none may be recommended.
        Assert.EndsWith("last good checkpoint: none (try a lower lr or max_grad_norm)", error);
        Assert.False(Directory.Exists(Path.Combine(output, "model")), "a destroyed model was written");
        Assert.DoesNotContain("   at ", stderr);
    }

    [SkippableFact]
    public void GenerateDecodesATinyHeadSizeWithAutoAttentionAndRefusesGqaByName()
    {
        var tokenizer = SharedData.Path("tokenizers/llama2/tokenizer.model");
        var (code, stdout, stderr) = Med42Process.Run("generate", "--model", TinyGguf, "--tokenizer", tokenizer, "--prompt", "Hello",
            "--steps", "8", "--temperature", "0");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.StartsWith("Hello", stdout);
        Assert.Contains("(8 positions", stderr);

        (code, _, stderr) = Med42Process.Run("generate", "--model", TinyGguf, "--tokenizer", tokenizer, "--prompt", "Hello", "--attention", "gqa");
        Assert.Equal(2, code);
        Assert.Equal("med42: error: --attention gqa: GroupQueryAttention needs a head size that is a multiple of 8 (this model's is 4); " +
            "use --attention plain or auto\n", stderr);
    }

    [SkippableFact]
    public void EvalOutputIntoEarlierResultsIsRefusedUnlessForced()
    {
        using var d = new TempDir();
        var f = new KillTrialTests.Fixture(d);
        var output = d.File("results");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "results.json"), "earlier");
        string[] args = ["eval", "--model", f.Model, "--tokenizer", f.Tokenizer, "--tasks", "quiz", "--task-file", $"quiz={f.Quiz}", "--threads", "1", "--output", output];
        var (code, stdout, stderr) = Med42Process.Run(args);
        Assert.Equal(2, code);
        Assert.Equal($"med42: error: {output}: output folder exists and is not empty (pass --force to replace it)\n", stderr);
        Assert.Equal("", stdout); // refused before scoring: no results printed
        Assert.Equal("earlier", File.ReadAllText(Path.Combine(output, "results.json")));

        KillTrialTests.MustSucceed([.. args, "--force", "--log-samples"]);
        Assert.Equal(["results.json", "results.md", "samples_quiz.jsonl"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.NotEqual("earlier", File.ReadAllText(Path.Combine(output, "results.json")));
    }
}
