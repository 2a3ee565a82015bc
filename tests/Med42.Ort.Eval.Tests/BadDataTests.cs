// Bad data is a Med42Exception naming file:line (or, with skipBad, a counted skip):
// missing field, answer index out of range, fewer than 2 choices, empty question, unknown task
// name (listing the available ones), missing file for a requested task.
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Eval.Tests.Fakes;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests;

public class BadDataTests
{
    private const string Good = """{"question": "q", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": 1}""";

    private static Med42Exception Fails(IEvalTask task) => Assert.Throws<Med42Exception>(() => task.LoadDocs(new BadDataLog(false)));

    [Fact]
    public void MissingField_MedMcqa()
    {
        using var dir = new TempDir();
        var path = dir.File("dev.json");
        File.WriteAllText(path, Good + "\n" + """{"question": "q", "opa": "a", "opb": "b", "opd": "d", "cop": 1}""" + "\n");
        Assert.Equal($"{path}: line 2: missing field 'opc'", Fails(new MedMcqaTask(path)).Message);
    }

    [Fact]
    public void MissingField_MmluRowWithFiveColumns()
    {
        using var dir = new TempDir();
        var path = dir.File("anatomy_test.csv");
        File.WriteAllText(path, "q1,a,b,c,d,A\nq2,a,b,c,D\n");
        Assert.StartsWith($"{path}: line 2: missing field", Fails(new MmluTask("anatomy", path)).Message);
    }

    [Fact]
    public void AnswerOutOfRange_MedMcqaCop()
    {
        using var dir = new TempDir();
        var path = dir.File("dev.json");
        File.WriteAllText(path, Good + "\n" + Good.Replace("\"cop\": 1", "\"cop\": 4") + "\n" + Good.Replace("\"cop\": 1", "\"cop\": 7") + "\n");
        Assert.Equal($"{path}: line 3: answer index 6 out of range [0, 3]", Fails(new MedMcqaTask(path)).Message);
    }

    [Fact]
    public void AnswerOutOfRange_MmluLetter()
    {
        using var dir = new TempDir();
        var path = dir.File("anatomy_test.csv");
        File.WriteAllText(path, "q1,a,b,c,d,E");
        Assert.Equal($"{path}: line 1: answer index 'E' out of range [A, D]", Fails(new MmluTask("anatomy", path)).Message);
    }

    [Fact]
    public void FewerThanTwoChoices_Generic()
    {
        using var dir = new TempDir();
        var path = dir.File("set.jsonl");
        File.WriteAllText(path, """{"question": "q", "choices": ["only"], "answer": 0}""");
        Assert.Equal($"{path}: line 1: fewer than 2 choices (1)", Fails(new GenericJsonlTask("set", path)).Message);
    }

    [Fact]
    public void EmptyQuestion_MedQa()
    {
        using var dir = new TempDir();
        var path = dir.File("test.jsonl");
        File.WriteAllText(path, "\n" + """{"question": "  ", "options": {"A": "a", "B": "b", "C": "c", "D": "d"}, "answer_idx": "A"}""");
        Assert.Equal($"{path}: line 2: empty question", Fails(new MedQaTask(path)).Message);
    }

    [Fact]
    public void UnknownTaskName_ListsAvailable()
    {
        var registry = new TaskRegistry(new EvalDataLayout("unused", new Dictionary<string, string> { ["usmle"] = "u.jsonl" }));
        var e = Assert.Throws<Med42Exception>(() => registry.Expand(["medqa_4options,medqa"]));
        Assert.Contains("unknown task 'medqa'", e.Message);
        foreach (var name in TaskRegistry.BuiltInTasks) Assert.Contains(name, e.Message);
        Assert.Contains("usmle", e.Message);
        Assert.Contains("medical", e.Message);
    }

    [Fact]
    public void MissingFile_NamesTaskAndPath()
    {
        using var dir = new TempDir();
        var runner = new EvalRunner(new RandomScorer(1), new FakeTokenizer());
        var e = Assert.Throws<Med42Exception>(() => runner.Run(new EvalOptions { Tasks = ["medmcqa"], DataDir = dir.Path }));
        var expectedPath = Path.Combine(dir.Path, "medmcqa", "dev.json");
        Assert.Equal($"{expectedPath}: task 'medmcqa': data file not found", e.Message);
    }

    [Fact]
    public void SkipBad_CountsInsteadOfFailing()
    {
        using var dir = new TempDir();
        var path = dir.File("set.jsonl");
        File.WriteAllText(path, string.Join("\n",
            """{"question": "ok1", "choices": ["a", "b"], "answer": 1}""",
            """{"choices": ["a", "b"], "answer": 1}""",
            """{"question": "q", "choices": ["a", "b"], "answer": 2}""",
            """{"question": "", "choices": ["a", "b"], "answer": 0}""",
            """{"question": "q", "choices": ["a"], "answer": 0}""",
            """{"question": "ok2", "choices": ["a", "b", "c"], "answer": "C"}"""));
        var log = new BadDataLog(skipBad: true);
        var docs = new GenericJsonlTask("set", path).LoadDocs(log);
        Assert.Equal(["1", "6"], docs.Select(d => d.Id));
        Assert.Equal(4, log.Skipped);
        Assert.Equal(4, log.SkippedIn(path));
        Assert.Equal([$"{path}: line 2: missing field 'question'", $"{path}: line 3: answer index 2 out of range [0, 1]",
            $"{path}: line 4: empty question", $"{path}: line 5: fewer than 2 choices (1)"], log.Messages);
    }

    [SkippableFact]
    public void SkipBad_FiveOptionMedQaSkipsEveryRecord()
    {
        var log = new BadDataLog(skipBad: true);
        var docs = new MedQaTask(SharedData.Path("medqa/dev.jsonl")).LoadDocs(log);
        Assert.Empty(docs);
        Assert.Equal(1272, log.Skipped);
    }
}
