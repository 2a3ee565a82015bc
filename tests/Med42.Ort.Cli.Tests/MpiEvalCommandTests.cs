// `mpirun -np 2 med42 eval` against one process: the two ranks share the scoring batches and gather every score, so
// results.json (the timestamp aside) and every samples_<task>.jsonl are byte for byte those of one process, and rank 0
// alone writes them. Needs mpirun and libmed42_mpi as MpiTrainCommandTests does (skipped without, failed under CI).
using System.Text.Json.Nodes;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

public partial class MpiEvalCommandTests
{
    [SkippableFact]
    [Trait("Category", "Slow")]
    public void TwoRanksWriteTheResultsAndSamplesOfOneProcess()
    {
        MpiTrainCommandTests.RequireMpi();
        using var dir = new TempDir();
        var data = dir.File("data");
        EvalCommandTests.LayOut(data);
        string[] Args(string output) =>
        [
            "eval", "--model", SharedData.Path("models/stories260K/stories260K.bin"), "--tokenizer", SharedData.Path("models/stories260K/tok512.model"),
            "--tasks", "medical", "--data-dir", data, "--limit", "40", "--out", output, "--log-samples", "--batch-size", "8", "--threads", "1",
        ];
        var (code1, out1, err1) = Med42Process.Run(TimeSpan.FromMinutes(5), Args(dir.File("one")));
        Assert.True(code1 == 0, $"one process: exit {code1}\n{out1}\n{err1}");
        var (code2, out2, err2) = Med42Process.RunUnder(MpiTrainCommandTests.TwoRanks, TimeSpan.FromMinutes(5), Args(dir.File("two")));
        Assert.True(code2 == 0, $"two ranks: exit {code2}\n{out2}\n{err2}");

        // Rank 0 alone prints: the table once, as one process prints it. Open MPI hands the ranks a pseudo-terminal for
        // stdout, so .NET's console emits terminal mode sequences (keypad mode) there; they are not output of med42's.
        Assert.Equal(out1, TerminalModes().Replace(out2, ""));
        var files = Directory.GetFiles(dir.File("one")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(dir.File("two")).Select(Path.GetFileName).Order().ToList());
        Assert.Equal(9, files.Count(f => f!.StartsWith("samples_", StringComparison.Ordinal)));
        foreach (var f in files.Where(f => f!.StartsWith("samples_", StringComparison.Ordinal)))
            Assert.True(File.ReadAllText(Path.Combine(dir.File("one"), f!)) == File.ReadAllText(Path.Combine(dir.File("two"), f!)), $"{f} differs");
        Assert.Equal(WithoutTimestamp(Path.Combine(dir.File("one"), "results.json")), WithoutTimestamp(Path.Combine(dir.File("two"), "results.json")));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\x1b\[\?[0-9;]*[hl]|\x1b[=>]")]
    private static partial System.Text.RegularExpressions.Regex TerminalModes();

    // results.json with every date/time-valued field removed (the only run-dependent values it holds).
    private static string WithoutTimestamp(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        Strip(root);
        return root.ToJsonString();
    }

    private static readonly HashSet<string> ClockKeys = ["date", "start_time", "end_time", "total_evaluation_time_seconds"];

    private static void Strip(JsonNode node)
    {
        if (node is JsonObject o)
        {
            // Date strings (our own record) and the harness's clock fields (Unix seconds, durations).
            foreach (var key in o.Where(kv => ClockKeys.Contains(kv.Key)
                             || kv.Value is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _))
                         .Select(kv => kv.Key).ToList())
                o.Remove(key);
            foreach (var (_, child) in o) if (child is not null) Strip(child);
        }
        else if (node is JsonArray a)
            foreach (var child in a) if (child is not null) Strip(child);
    }
}
