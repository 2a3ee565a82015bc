// The CLI's contract: --help for every verb, one clear error line and a non-zero exit for bad input,
// and the foundation verbs working end to end on stories260K.
using System.Text;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

public class CliTests
{
    public static TheoryData<string> VerbNames => new()
    {
        "info", "convert", "export-onnx", "generate", "train", "export-artifacts", "eval", "export", "merge", "chat", "bench", "study", "data",
    };

    [Theory]
    [MemberData(nameof(VerbNames))]
    public void EveryVerbHasHelp(string verb)
    {
        var (code, _, stderr) = Med42Process.Run(verb, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--help", stderr);
    }

    [Fact]
    public void UnknownVerbExitsNonZero()
    {
        var (code, _, stderr) = Med42Process.Run("no-such-verb");
        Assert.NotEqual(0, code);
        Assert.Contains("no-such-verb", stderr);
    }

    [Fact]
    public void MissingModelIsOneClearLine()
    {
        var (code, _, stderr) = Med42Process.Run("info", "--model", "does/not/exist.bin");
        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("med42: error: does/not/exist.bin", lines[0]);
    }

    [Fact]
    public void PickleCheckpointIsRefusedWithTheReason()
    {
        using var dir = new TempDir();
        var pickle = dir.File("pytorch_model.bin");
        File.WriteAllBytes(pickle, [0x80, 0x02, 0x7d, 0x71, 0x00]); // pickle protocol 2 header
        var (code, _, stderr) = Med42Process.Run("generate", "--model", pickle, "--steps", "4");
        Assert.Equal(2, code);
        Assert.Contains("pickle", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("safetensors", stderr);
    }

    [Fact]
    public void CudaWithoutTheGpuBuildFailsInsteadOfFallingBack()
    {
        var (code, _, stderr) = Med42Process.Run("generate", "--steps", "4", "--device", "cuda");
        Assert.Equal(2, code);
        Assert.Contains("cuda", stderr);
        Assert.Contains("not falling back", stderr);
    }

    [Fact]
    public void EmbeddedDefaultGeneratesWithoutAModel()
    {
        var (code, stdout, stderr) = Med42Process.Run("generate", "--steps", "16", "--seed", "3");
        Assert.True(code == 0, stderr);
        Assert.False(string.IsNullOrWhiteSpace(stdout));
        Assert.Contains("tok/s", stderr);
    }

    [SkippableFact]
    public void GenerateStreamsLlama2cTextForStories260K()
    {
        var model = SharedData.Path("models/stories260K/stories260K.bin");
        var tokenizer = SharedData.Path("models/stories260K/tok512.model");
        var (code, stdout, stderr) = Med42Process.Run("generate", "--model", model, "--tokenizer", tokenizer, "--temperature", "0", "--prompt", "Zoo", "--steps", "60");
        Assert.True(code == 0, stderr);
        // MANIFEST §1.1 (c), the published llama2.c output; run.c ends with one newline.
        var manifest = File.ReadAllText(SharedData.Path("MANIFEST.md"));
        var expected = manifest.Split("```\n")[..].First(b => b.StartsWith("Zoo was", StringComparison.Ordinal)).TrimEnd('\n');
        Assert.Equal(expected + "\n", stdout);
    }

    [SkippableFact]
    public void FusedGqaAndPlainAttentionPrintTheSameText()
    {
        var model = SharedData.Path("models/stories260K/stories260K.bin");
        var tokenizer = SharedData.Path("models/stories260K/tok512.model");
        string[] common = ["generate", "--model", model, "--tokenizer", tokenizer, "--temperature", "0", "--steps", "256"];
        var (gqaCode, gqa, gqaErr) = Med42Process.Run([.. common, "--attention", "gqa"]);
        var (plainCode, plain, plainErr) = Med42Process.Run([.. common, "--attention", "plain"]);
        Assert.True(gqaCode == 0 && plainCode == 0, gqaErr + plainErr);
        Assert.Equal(plain, gqa); // 256 greedy steps: MANIFEST text (b) either way
    }

    [SkippableFact]
    public void NativeKernelsGenerateTheSameGreedyText()
    {
        var model = SharedData.Path("models/stories260K/stories260K.bin");
        var tokenizer = SharedData.Path("models/stories260K/tok512.model");
        string[] common = ["generate", "--model", model, "--tokenizer", tokenizer, "--temperature", "0", "--steps", "40"];
        var (code, onnx, err) = Med42Process.Run(common);
        Assert.True(code == 0, err);
        var (nativeCode, native, nativeErr) = Med42Process.Run([.. common, "--kernels", "native"]);
        if (nativeErr.Contains("libmed42_ort_ops", StringComparison.Ordinal) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            throw new SkipException("the native custom-op library is not built here (needs cmake and a C++ compiler)");
        Assert.True(nativeCode == 0, nativeErr);
        Assert.Equal(onnx, native); // fused RMSNorm/rotary kernels keep greedy decoding identical on stories260K
    }

    [SkippableFact]
    public void ConvertThenInfoShowsTheHfFolder()
    {
        var model = SharedData.Path("models/stories260K/stories260K.bin");
        using var dir = new TempDir();
        var hf = dir.File("hf");
        var (code, _, stderr) = Med42Process.Run("convert", "--model", model, "--tokenizer", SharedData.Path("models/stories260K/tok512.model"), "--out", hf);
        Assert.True(code == 0, stderr);
        foreach (var f in new[] { "config.json", "model.safetensors", "tokenizer.model", "tokenizer.json", "tokenizer_config.json" })
            Assert.True(File.Exists(Path.Combine(hf, f)), f);
        var (infoCode, info, infoErr) = Med42Process.Run("info", "--model", hf);
        Assert.True(infoCode == 0, infoErr);
        Assert.Contains("260,032", info);
        // A second convert into the now non-empty folder is refused without --force.
        var (again, _, againErr) = Med42Process.Run("convert", "--model", model, "--out", hf);
        Assert.Equal(2, again);
        Assert.Contains("not empty", againErr);
    }

    [SkippableFact]
    public void ExportOnnxWritesADecoderFolder()
    {
        var model = SharedData.Path("models/stories260K/stories260K.bin");
        using var dir = new TempDir();
        var (code, _, stderr) = Med42Process.Run("export-onnx", "--model", model, "--out", dir.File("onnx"), "--external-data");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(dir.File("onnx"), "model.onnx")));
        Assert.True(new FileInfo(Path.Combine(dir.File("onnx"), "model.onnx.data")).Length > 1_000_000); // 260K fp32 weights live outside
    }
}
