// `med42 data check DIR`: reads every benchmark file the --data-dir layout names (EvalDataLayout) with the same
// readers `eval` uses, and says per task what is there, what is missing and what is malformed. Where the
// standard file is missing but a dev/validation file of the same benchmark is present (the files ../shared/data
// ships, EvalDataLayout.DevAlternates), the finding names it and how many documents it holds, so the user can
// pass it with --task-file (or let `study` pick it up).
using Med42.Ort.Core.Errors;
using Med42.Ort.Eval.Documents;

namespace Med42.Ort.Eval.Tasks;

public enum DataStatus { Ok, Missing, Invalid }

/// <summary>One file or task: its status, the path expected (relative to the folder), documents read, and what is wrong.</summary>
/// <param name="Required">False for files only some runs need (MMLU dev CSVs: few-shot examples).</param>
/// <param name="Alternate">A dev/validation file of the same benchmark found instead (relative path), with its documents.</param>
public sealed record DataFinding(string Task, bool Required, DataStatus Status, string Expected, int Documents, string? Problem,
    string? Alternate = null, int AlternateDocuments = 0);

public static class DataFolderCheck
{
    public static IReadOnlyList<DataFinding> Run(string dataDir)
    {
        if (!Directory.Exists(dataDir)) throw new Med42Exception(File.Exists(dataDir) ? $"{dataDir}: is a file; expected the benchmark folder" : $"{dataDir}: folder not found");
        var findings = new List<DataFinding>();
        var registry = new TaskRegistry(new EvalDataLayout(dataDir));
        foreach (var task in TaskRegistry.BuiltInTasks)
        {
            var expected = Expected(task);
            var (status, docs, problem) = Load(() => registry.Create(task));
            var finding = new DataFinding(task, true, status, expected, docs, problem);
            if (status == DataStatus.Missing && EvalDataLayout.DevAlternates.TryGetValue(task, out var alternate) && File.Exists(Path.Combine([dataDir, .. alternate])))
            {
                var path = Path.Combine([dataDir, .. alternate]);
                var overridden = new TaskRegistry(new EvalDataLayout(dataDir, new Dictionary<string, string> { [task] = path }));
                var (altStatus, altDocs, altProblem) = Load(() => overridden.Create(task));
                finding = altStatus == DataStatus.Ok
                    ? finding with { Alternate = Path.Combine(alternate), AlternateDocuments = altDocs }
                    : finding with { Problem = $"{Path.Combine(alternate)} is present but unreadable: {altProblem}" };
            }
            findings.Add(finding);
        }
        foreach (var subject in MmluTask.MedicalSubjects)
        {
            var dev = new EvalDataLayout(dataDir).MmluDev(subject);
            var (status, docs, problem) = Load(() => new MmluTask(subject, dev));
            findings.Add(new DataFinding($"mmlu_{subject} few-shot", false, status, Path.GetRelativePath(dataDir, dev), docs, problem));
        }
        return findings;
    }

    private static string Expected(string task) => task switch
    {
        _ when task == MedQaTask.TaskName => Path.Combine("medqa", "test.jsonl"),
        _ when task == MedMcqaTask.TaskName => Path.Combine("medmcqa", "dev.json"),
        _ when task == PubMedQaTask.TaskName => $"{Path.Combine("pubmedqa", "ori_pqal.json")} + {Path.Combine("pubmedqa", "test_ground_truth.json")} (or {Path.Combine("pubmedqa", "test.json")})",
        _ => Path.Combine("mmlu", "test", task["mmlu_".Length..] + "_test.csv"),
    };

    // Reads every document as `eval` would (bad records stop it); a missing file is Missing, anything else Invalid.
    private static (DataStatus, int, string?) Load(Func<IEvalTask> create)
    {
        IEvalTask? task = null;
        try
        {
            task = create();
            return (DataStatus.Ok, task.LoadDocs(new BadDataLog(skipBad: false)).Count, null);
        }
        catch (Med42Exception e) when (task is null || !File.Exists(task.DataPath))
        {
            return (DataStatus.Missing, 0, e.Message);
        }
        catch (Med42Exception e)
        {
            return (DataStatus.Invalid, 0, e.Message);
        }
    }
}
