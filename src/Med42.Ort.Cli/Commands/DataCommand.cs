// `med42 data check DIR`: what `eval --data-dir DIR` will find, task by task (DataFolderCheck), with the dev files
// that can stand in for a missing test split and the --task-file that uses them. Exit 0 when every task's
// standard file reads cleanly, 1 when any is missing or malformed (the report says which), 2 for a bad DIR.
using CommandLine;
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Tasks;

namespace Med42.Ort.Cli.Commands;

[Verb("data", HelpText = "data check DIR: say which benchmark files eval --data-dir DIR finds, which are missing or malformed, and what can stand in (docs/data.md).")]
internal sealed class DataCommand : ICommand
{
    [Value(0, MetaName = "action", Required = true, HelpText = "check (the only action).")]
    public string Action { get; set; } = "";

    [Value(1, MetaName = "dir", Required = true, HelpText = "The benchmark folder to check (the layout of docs/data.md).")]
    public string Dir { get; set; } = "";

    public int Run(CancellationToken cancellationToken)
    {
        if (Action != "check") throw new Med42Exception($"data: unknown action '{Action}' (expected check)");
        var findings = DataFolderCheck.Run(Dir);
        foreach (var f in findings) Console.Out.WriteLine(Line(f));
        var failed = findings.Where(f => f.Required && f.Status != DataStatus.Ok).ToList();
        Console.Out.WriteLine(failed.Count == 0
            ? $"{Dir}: every benchmark task is ready for eval --data-dir"
            : $"{Dir}: {failed.Count} of {findings.Count(f => f.Required)} tasks not ready ({string.Join(", ", failed.Select(f => f.Task))}); layout: docs/data.md");
        return failed.Count == 0 ? 0 : 1;
    }

    internal string Line(DataFinding f)
    {
        var head = $"{f.Task,-36} ";
        return f.Status switch
        {
            DataStatus.Ok => head + $"ok       {f.Expected} ({f.Documents} documents)",
            DataStatus.Invalid => head + $"invalid  {f.Problem}",
            _ when !f.Required => head + $"missing  {f.Expected} (optional: needed only with --num-fewshot > 0)",
            _ when f.Alternate is not null => head + $"missing  {f.Expected}; found {f.Alternate} ({f.AlternateDocuments} documents, not the test split): " +
                $"--task-file {f.Task}={Path.Combine(Dir, f.Alternate)}",
            _ => head + $"missing  {f.Expected}{(f.Problem is null || f.Problem.Contains("not found", StringComparison.Ordinal) ? "" : $": {f.Problem}")}",
        };
    }
}
