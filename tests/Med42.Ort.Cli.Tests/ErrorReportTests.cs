// ErrorReport on real faults, each provoked for real rather than constructed: ENOSPC from /dev/full (a device
// every write to which fails with "No space left on device"), EISDIR and ENOTDIR from the file system, an ONNX
// Runtime refusal of a malformed model, a GenAI refusal of a malformed folder. Each must become one line that
// names the path (the target, not the temporary sibling an atomic write used) and, through the CLI, exit 2
// without a stack trace unless --verbose asks for it.
using Med42.Ort.Core.IO;
using Med42.Ort.Tests.Shared;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Cli.Tests;

public class ErrorReportTests
{
    private static Exception Caught(Action a)
    {
        try { a(); }
        catch (Exception e) { return e; }
        throw new Xunit.Sdk.XunitException("no exception");
    }

    private static string ReportOf(Exception e)
    {
        var unwrapped = ErrorReport.Unwrap(e);
        Assert.True(ErrorReport.IsUserFacing(unwrapped), $"{unwrapped.GetType()} is not reported as a user error");
        var line = ErrorReport.Line(unwrapped);
        Assert.DoesNotContain('\n', line);
        return line;
    }

    [SkippableFact]
    public void DiskFullNamesThePath()
    {
        Skip.IfNot(File.Exists("/dev/full"), "needs /dev/full (Linux)");
        var e = Caught(() =>
        {
            using var s = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
            s.Write(new byte[4096]);
            s.Flush();
        });
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Equal("/dev/full: No space left on device", ReportOf(e));
    }

    [Fact]
    public void AFolderWhereAFileIsExpectedAndAFileWhereAFolderIsExpectedNameThePath()
    {
        using var d = new TempDir();
        var folder = d.File("folder");
        Directory.CreateDirectory(folder);
        Assert.StartsWith($"{folder}: ", ReportOf(Caught(() => File.WriteAllText(folder, "x"))));
        var file = d.File("file");
        File.WriteAllText(file, "x");
        Assert.StartsWith($"{file}/sub: ", ReportOf(Caught(() => File.WriteAllText(Path.Combine(file, "sub"), "x"))));
    }

    [Fact]
    public void ATemporarySiblingIsReportedAsItsTarget()
    {
        using var d = new TempDir();
        var target = d.File("model.safetensors");
        var tmp = PendingFile.TempSibling(target);
        var e = new IOException($"No space left on device : '{tmp}'");
        Assert.Equal($"{target}: No space left on device", ReportOf(e));
        Assert.Equal($"{d.Path}/model: x", ErrorReport.Target($"{PendingFile.TempSibling(d.File("model"))}") + ": x");
    }

    [Fact]
    public void OnnxRuntimeRefusalIsOneLine()
    {
        var e = Caught(() => new InferenceSession(new byte[] { 1, 2, 3, 4 }).Dispose());
        Assert.IsType<OnnxRuntimeException>(e);
        Assert.StartsWith("ONNX Runtime: ", ReportOf(e));
    }

    [Fact]
    public void WrappersAreUnwrappedAndBugsAreNotUserErrors()
    {
        var inner = new IOException("No space left on device : '/x/y'");
        Assert.Same(inner, ErrorReport.Unwrap(new AggregateException(inner)));
        Assert.Same(inner, ErrorReport.Unwrap(new TypeInitializationException("T", inner)));
        Assert.False(ErrorReport.IsUserFacing(new NullReferenceException()));
        Assert.False(ErrorReport.IsUserFacing(new AggregateException(new IOException("a"), new IOException("b"))));
    }

    [Fact]
    public void GenAiRefusalInChatIsOneLineExit2AndTheTraceOnlyWithVerbose()
    {
        using var d = new TempDir();
        var folder = d.File("genai");
        Directory.CreateDirectory(folder);
        // A GenAI folder whose model file ONNX Runtime cannot load: GenAI throws while opening it.
        File.WriteAllText(Path.Combine(folder, "genai_config.json"),
            """{"model":{"type":"llama","bos_token_id":1,"eos_token_id":2,"pad_token_id":0,"vocab_size":32,"context_length":16,"decoder":{"filename":"model.onnx","head_size":4,"hidden_size":8,"num_attention_heads":2,"num_hidden_layers":1,"num_key_value_heads":2,"inputs":{"input_ids":"input_ids","attention_mask":"attention_mask","past_key_names":"past_key_values.%d.key","past_value_names":"past_key_values.%d.value"},"outputs":{"logits":"logits","present_key_names":"present.%d.key","present_value_names":"present.%d.value"}}},"search":{"max_length":16}}""");
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), [1, 2, 3, 4]);
        var (code, _, stderr) = Med42Process.Run("chat", "--model", folder);
        Assert.Equal(2, code);
        // chat prints its banner first; the error is one line after it and no stack trace follows.
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("med42: error: ", StringComparison.Ordinal));
        Assert.StartsWith($"med42: error: ONNX Runtime GenAI: Load model from {folder}/model.onnx failed", Assert.Single(errors));
        Assert.DoesNotContain("   at ", stderr);
        var (verboseCode, _, verboseErr) = Med42Process.Run("chat", "--model", folder, "--verbose");
        Assert.Equal(2, verboseCode);
        Assert.Contains("   at ", verboseErr);
    }
}
