// `med42 train` from the command line on stories260K: full fine-tuning memorises 8 fixed samples (loss
// below 0.05, which only memorising them reaches) and LoRA lowers the loss measurably, writing metrics,
// the loss plot and the output folder.
using System.Globalization;
using System.Text.Json;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

public class TrainCommandTests
{
    private static (double First, double Last, string Out) Train(TempDir d, string mode, int steps, string lr)
    {
        var output = d.File("run");
        var (code, stdout, stderr) = Med42Process.Run(TimeSpan.FromMinutes(10), "train",
            "--model", SharedData.Path("models/stories260K/stories260K.bin"), "--tokenizer", SharedData.Path("models/stories260K/tok512.model"),
            "--data", StorySamples.WriteJsonl(d), "--mode", mode, "--lora-rank", "8", "--lora-alpha", "16",
            "--lora-targets", "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
            "--max-steps", steps.ToString(CultureInfo.InvariantCulture), "--lr", lr, "--schedule", "constant", "--batch-size", "8",
            "--seq-len", "64", "--packing", "false", "--system-prompt", "Tell a story.", "--threads", "2", "--seed", "1", "--out", output);
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        var losses = File.ReadLines(Path.Combine(output, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("loss", out _))
            .Select(e => e.GetProperty("loss").GetDouble()).ToList();
        Assert.Equal(steps, losses.Count);
        Assert.True(new FileInfo(Path.Combine(output, "loss.png")).Length > 1000, "loss plot written");
        return (losses[0], losses[^1], output);
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void FullModeFromTheCommandLineMemorisesEightSamples()
    {
        using var d = new TempDir();
        var (first, last, output) = Train(d, "full", 200, "3e-3");
        Assert.True(last < 0.05, $"loss {first} → {last}");
        Assert.True(File.Exists(Path.Combine(output, "model", "config.json")), "full mode writes an HF folder");
    }

    [SkippableFact]
    public void LoraFromTheCommandLineLowersTheLoss()
    {
        using var d = new TempDir();
        var (first, last, output) = Train(d, "lora", 25, "1e-2");
        Assert.True(last < 0.8 * first, $"loss {first} → {last}"); // "measurably": ≥ 20% below the untrained adapter's
        Assert.True(File.Exists(Path.Combine(output, "adapter", "adapter_config.json")), "LoRA writes a PEFT adapter folder");
    }
}
