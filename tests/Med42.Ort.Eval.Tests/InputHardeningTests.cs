// Evaluation inputs under the text-input policy and the empty-file rule: invalid UTF-8 or a lone
// surrogate escape in MedQA JSONL, an MMLU CSV or PubMedQA JSON is "file: line N: invalid UTF-8 at byte K"
// (never U+FFFD substituted; with skip-bad the record is skipped and counted); a dangling or looping
// symbolic link as a task file is named; an empty benchmark file, or one whose every record was skipped,
// is an error instead of n = 0; a scorer returning a non-finite log-likelihood stops the run.
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Eval.Tests.Fakes;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests;

public class InputHardeningTests
{
    private const string MedQaLine = """{"question": "Which organism?", "options": {"A": "a", "B": "b", "C": "c", "D": "d"}, "answer_idx": "B"}""";

    private static byte[] Lines(params byte[][] lines) => [.. lines.SelectMany(l => l.Concat("\n"u8.ToArray()))];

    [Fact]
    public void InvalidUtf8InMedQaIsAnErrorAtTheByte()
    {
        using var dir = new TempDir();
        var path = dir.File("test.jsonl");
        var bad = Encoding.UTF8.GetBytes(MedQaLine.Replace("Which", "Wh\u0001ch"));
        bad[Array.IndexOf(bad, (byte)1)] = 0xFF;
        File.WriteAllBytes(path, Lines(Encoding.UTF8.GetBytes(MedQaLine), bad));
        var offset = MedQaLine.Length + 1 + MedQaLine.IndexOf("ich", StringComparison.Ordinal);
        var e = Assert.Throws<Med42Exception>(() => new MedQaTask(path).LoadDocs(new BadDataLog(false)));
        Assert.Equal($"{path}: line 2: invalid UTF-8 at byte {offset} (byte 0xFF starts no valid sequence)", e.Message);

        var log = new BadDataLog(skipBad: true);
        Assert.Single(new MedQaTask(path).LoadDocs(log));
        Assert.Equal([e.Message], log.Messages);
    }

    [Fact]
    public void LoneSurrogateEscapeInMedQaIsAnError()
    {
        using var dir = new TempDir();
        var path = dir.File("test.jsonl");
        File.WriteAllText(path, MedQaLine.Replace("Which", "Wh\\ud800ich") + "\n");
        var e = Assert.Throws<Med42Exception>(() => new MedQaTask(path).LoadDocs(new BadDataLog(false)));
        Assert.Equal($"{path}: line 1: invalid UTF-8 at byte 16 (lone high surrogate escape \\ud800)", e.Message);
    }

    [Fact]
    public void InvalidUtf8InMmluCsvSkipsOnlyThatRecord()
    {
        using var dir = new TempDir();
        var path = dir.File("anatomy_test.csv");
        var text = "q1,a,b,c,d,A\n\"q2 spans\nX lines\",a,b,c,d,B\nq3,a,b,c,d,C\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes[text.IndexOf('X')] = 0xC3; // a lead byte followed by ' ': record 2, on its second line
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<Med42Exception>(() => new MmluTask("anatomy", path).LoadDocs(new BadDataLog(false)));
        Assert.Equal($"{path}: line 3: invalid UTF-8 at byte {text.IndexOf('X')} (byte 0xC3 starts no valid sequence)", e.Message);
        var log = new BadDataLog(skipBad: true);
        Assert.Equal(["1", "3"], new MmluTask("anatomy", path).LoadDocs(log).Select(d => d.Id));
        Assert.Equal(1, log.Skipped);
    }

    [Fact]
    public void InvalidUtf8InPubMedQaIsAnError()
    {
        using var dir = new TempDir();
        var path = dir.File("test.json");
        var bytes = Encoding.UTF8.GetBytes("{\n  \"1\": {\"QUESTION\": \"Q?\", \"CONTEXTS\": [\"c\"], \"final_decision\": \"yes\"}\n}");
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0x80;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<Med42Exception>(() => new PubMedQaTask(path).LoadDocs(new BadDataLog(skipBad: true)));
        Assert.StartsWith($"{path}: line 2: invalid UTF-8 at byte ", e.Message);
    }

    [Theory]
    [InlineData("medqa_4options", "medqa/test.jsonl")]
    [InlineData("mmlu_anatomy", "mmlu/test/anatomy_test.csv")]
    public void DanglingAndLoopingLinksAreNamed(string task, string relative)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, Path.Combine(dir.Path, "nowhere"));
        var runner = new EvalRunner(new RandomScorer(1), new FakeTokenizer());
        var e = Assert.Throws<Med42Exception>(() => runner.Run(new EvalOptions { Tasks = [task], DataDir = dir.Path }));
        Assert.Equal($"{path}: task '{task}': data file is a dangling symbolic link (its target '{Path.Combine(dir.Path, "nowhere")}' does not exist)", e.Message);

        File.Delete(path);
        File.CreateSymbolicLink(path, path);
        e = Assert.Throws<Med42Exception>(() => runner.Run(new EvalOptions { Tasks = [task], DataDir = dir.Path }));
        Assert.StartsWith($"{path}: task '{task}': data file is a symbolic link loop", e.Message);
    }

    [Theory]
    [InlineData("test.jsonl", "")]
    [InlineData("test.jsonl", "\n  \n")]
    [InlineData("anatomy_test.csv", "")]
    [InlineData("test.json", "{}")]
    public void EmptyBenchmarkFileIsAnError(string name, string content)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllText(path, content);
        IEvalTask task = name switch
        {
            "test.jsonl" => new MedQaTask(path),
            "anatomy_test.csv" => new MmluTask("anatomy", path),
            _ => new PubMedQaTask(path),
        };
        var e = Assert.Throws<Med42Exception>(() => task.LoadDocs(new BadDataLog(skipBad: true)));
        Assert.StartsWith($"{path}: line 1: no records", e.Message);
    }

    [Fact]
    public void EveryRecordSkippedIsAnErrorNotNZero()
    {
        using var dir = new TempDir();
        var path = dir.File("set.jsonl");
        File.WriteAllText(path, """{"question": "q", "choices": ["a"], "answer": 0}""");
        var runner = new EvalRunner(new RandomScorer(1), new FakeTokenizer());
        var e = Assert.Throws<Med42Exception>(() => runner.Run(new EvalOptions
        {
            Tasks = ["set"], TaskFiles = new Dictionary<string, string> { ["set"] = path }, SkipBad = true,
        }));
        Assert.Equal($"{path}: task 'set': no usable records (1 skipped as bad); nothing to score", e.Message);
    }

    private sealed class NanScorer : ILoglikelihoodScorer
    {
        public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, IProgress<ScoringProgress>? progress = null, CancellationToken cancellationToken = default) =>
            requests.Select((_, i) => new LoglikelihoodResult(i == 1 ? double.NaN : -1, false)).ToArray();
    }

    [Fact]
    public void NonFiniteLogLikelihoodStopsTheRun()
    {
        using var dir = new TempDir();
        var path = dir.File("set.jsonl");
        File.WriteAllText(path, """{"question": "q", "choices": ["yes", "no"], "answer": 0}""");
        var runner = new EvalRunner(new NanScorer(), new FakeTokenizer());
        var e = Assert.Throws<Med42Exception>(() => runner.Run(new EvalOptions { Tasks = ["set"], TaskFiles = new Dictionary<string, string> { ["set"] = path } }));
        Assert.StartsWith($"{path}:1: task 'set': the log-likelihood of choice 'B' is NaN: the model's logits are not finite", e.Message);
    }
}
