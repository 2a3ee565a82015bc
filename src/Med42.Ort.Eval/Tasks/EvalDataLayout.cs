// Where each task's files live under --data-dir, and the --task-file name=path overrides.
//
//   DIR/medqa/test.jsonl                    medqa_4options (original 4-option MedQA JSONL or the HF sent1/ending form)
//   DIR/medmcqa/dev.json                    medmcqa (JSON Lines despite the extension; the official dev split)
//   DIR/pubmedqa/ori_pqal.json              pubmedqa, restricted to the ids of
//   DIR/pubmedqa/test_ground_truth.json       the ground-truth file (the 500 labelled test items)
//   DIR/pubmedqa/test.json                  pubmedqa alternative: one file whose items carry final_decision
//   DIR/mmlu/test/{subject}_test.csv        mmlu_{subject}, headerless CSV (question, A, B, C, D, answer)
//   DIR/mmlu/dev/{subject}_dev.csv          mmlu few-shot examples (first k rows), needed only when k > 0
//
// An override replaces the task's data file (for pubmedqa: a single file with final_decision; for
// mmlu: the test CSV, the dev CSV still comes from DIR). A name that is not a built-in task becomes a
// generic JSONL multiple-choice task.
namespace Med42.Ort.Eval.Tasks;

public sealed record EvalDataLayout(string? DataDir, IReadOnlyDictionary<string, string>? TaskFiles = null)
{
    public string? Override(string task) => TaskFiles is not null && TaskFiles.TryGetValue(task, out var p) ? p : null;

    public string Under(params string[] parts) =>
        Path.Combine([DataDir ?? throw new Core.Errors.Med42Exception($"--data-dir: needed for task files ({Path.Combine(parts)}) but not given"), .. parts]);

    public string MedQa => Override(MedQaTask.TaskName) ?? Under("medqa", "test.jsonl");
    public string MedMcqa => Override(MedMcqaTask.TaskName) ?? Under("medmcqa", "dev.json");

    /// <summary>(data file, ground truth or null for a single file).</summary>
    public (string Data, string? GroundTruth) PubMedQa
    {
        get
        {
            if (Override(PubMedQaTask.TaskName) is { } single) return (single, null);
            var ori = Under("pubmedqa", "ori_pqal.json");
            var single2 = Under("pubmedqa", "test.json");
            if (!File.Exists(ori) && File.Exists(single2)) return (single2, null);
            return (ori, Under("pubmedqa", "test_ground_truth.json"));
        }
    }

    public string MmluTest(string subject) => Override("mmlu_" + subject) ?? Under("mmlu", "test", subject + "_test.csv");
    public string MmluDev(string subject) => Under("mmlu", "dev", subject + "_dev.csv");

    /// <summary>
    /// For each task, a dev/validation file of the same benchmark in the same format, used when the standard (test)
    /// file is absent — the files ../shared/data ships (its MANIFEST.md §3). Not the official test splits: whoever
    /// uses one says so (study notes it in its report; `data check` names it).
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> DevAlternates { get; } = new Dictionary<string, string[]>
    {
        [MedQaTask.TaskName] = ["medqa", "phrases_no_exclude_dev.jsonl"],
        [MedMcqaTask.TaskName] = ["medmcqa", "dev_sample300.json"],
        [PubMedQaTask.TaskName] = ["pubmedqa", "pqal_dev500.json"],
    }.Concat(MmluTask.MedicalSubjects.Select(s => KeyValuePair.Create("mmlu_" + s, new[] { "mmlu", "dev", s + "_dev.csv" }))).ToDictionary();
}
