// Finds the benchmark files under --data-dir: the standard layout of docs/eval.md (medqa/test.jsonl,
// medmcqa/dev.json, pubmedqa/ori_pqal.json + test_ground_truth.json or pubmedqa/test.json,
// mmlu/test/<subject>_test.csv), or else the dev/validation files ../shared/data ships under the same
// folders (EvalDataLayout.DevAlternates). Returns the tasks found and the --task-file overrides they need.
using Med42.Ort.Eval.Tasks;

namespace Med42.Ort.Study.Pipeline;

public sealed record BenchmarkSet(IReadOnlyList<string> Tasks, IReadOnlyDictionary<string, string> Overrides, IReadOnlyList<string> Notes)
{
    public static BenchmarkSet Empty { get; } = new([], new Dictionary<string, string>(), []);

    public static BenchmarkSet Discover(string? dataDir)
    {
        if (dataDir is null) return Empty;
        var tasks = new List<string>();
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        var notes = new List<string>();
        void Pick(string task, params string[][] candidates)
        {
            for (var i = 0; i < candidates.Length; i++)
            {
                var path = Path.Combine([dataDir, .. candidates[i]]);
                if (!File.Exists(path)) continue;
                tasks.Add(task);
                if (i > 0) notes.Add($"{task}: standard file missing, using {Path.Combine(candidates[i])} (not the official test split)");
                overrides[task] = path;
                return;
            }
        }
        Pick(MedQaTask.TaskName, ["medqa", "test.jsonl"], EvalDataLayout.DevAlternates[MedQaTask.TaskName]);
        Pick(MedMcqaTask.TaskName, ["medmcqa", "dev.json"], EvalDataLayout.DevAlternates[MedMcqaTask.TaskName]);
        if (File.Exists(Path.Combine(dataDir, "pubmedqa", "ori_pqal.json")) && File.Exists(Path.Combine(dataDir, "pubmedqa", "test_ground_truth.json")))
            tasks.Add(PubMedQaTask.TaskName); // the registry's standard two-file layout, no override
        else
            Pick(PubMedQaTask.TaskName, ["pubmedqa", "test.json"], EvalDataLayout.DevAlternates[PubMedQaTask.TaskName]);
        foreach (var subject in MmluTask.MedicalSubjects)
            Pick("mmlu_" + subject, ["mmlu", "test", subject + "_test.csv"], EvalDataLayout.DevAlternates["mmlu_" + subject]);
        return new BenchmarkSet(tasks, overrides, notes);
    }
}
