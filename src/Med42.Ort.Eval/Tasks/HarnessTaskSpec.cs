// What lm-evaluation-harness v0.4 records about each task and group in results.json "configs",
// "versions", "higher_is_better" and "group_subtasks": the harness's own task YAMLs
// (lm_eval/tasks/medqa/medqa.yaml, medmcqa/medmcqa.yaml, pubmedqa/pubmedqa.yaml,
// mmlu/default/_default_template_yaml + mmlu_{subject}.yaml), written once here. The metric set per task
// is the YAML's metric_list: acc and acc_norm for medqa_4options and medmcqa, acc only for pubmedqa and
// MMLU. Python-function templates are recorded as the equivalent Jinja (what they render).
namespace Med42.Ort.Eval.Tasks;

/// <summary>One metric_list entry (aggregation mean, higher is better for both metrics used here).</summary>
public sealed record HarnessMetric(string Name, string Aggregation = "mean", bool HigherIsBetter = true);

/// <summary>A task as the harness configures it.</summary>
/// <param name="TargetIsChoiceText">doc_to_target yields the answer text (pubmedqa's final_decision), not an index.</param>
/// <param name="Version">The harness's task VERSION: metadata.version, or "Yaml" when the YAML sets none.</param>
public sealed record HarnessTaskSpec(
    string Task,
    string Alias,
    string DatasetPath,
    string? DatasetName,
    string TestSplit,
    string? FewshotSplit,
    string DocToText,
    string DocToTarget,
    string DocToChoice,
    string? Description,
    IReadOnlyList<HarnessMetric> Metrics,
    bool TargetIsChoiceText,
    string Version)
{
    public const string Filter = "none"; // multiple_choice tasks run the default take_first filter, named "none"
    public const string TargetDelimiter = " ";
    public const string FewshotDelimiter = "\n\n";

    private static readonly HarnessMetric[] AccOnly = [new("acc")];
    private static readonly HarnessMetric[] AccAndNorm = [new("acc"), new("acc_norm")];
    private const string Letters = "['A', 'B', 'C', 'D']";

    /// <summary>The spec for a built-in task, or a medqa-shaped spec for a generic JSONL task.</summary>
    public static HarnessTaskSpec For(string task, string dataPath, MmluStyle mmluStyle = MmluStyle.Letter)
    {
        if (task == MedQaTask.TaskName)
            return new(task, task, "GBaker/MedQA-USMLE-4-options-hf", null, "test", null,
                "Question: {{sent1}}\nA. {{ending0}}\nB. {{ending1}}\nC. {{ending2}}\nD. {{ending3}}\nAnswer:", "{{label}}", Letters,
                null, AccAndNorm, false, "Yaml");
        if (task == MedMcqaTask.TaskName)
            return new(task, task, "openlifescienceai/medmcqa", null, "validation", null,
                "Question: {{question}}\nChoices:\nA. {{opa}}\nB. {{opb}}\nC. {{opc}}\nD. {{opd}}\nAnswer:", "cop", Letters,
                null, AccAndNorm, false, "Yaml");
        if (task == PubMedQaTask.TaskName)
            return new(task, task, "bigbio/pubmed_qa", "pubmed_qa_labeled_fold0_source", "test", null,
                "Abstract: {{CONTEXTS | join('\\n')}}\nQuestion: {{QUESTION}}\nAnswer:", "final_decision", "['yes', 'no', 'maybe']",
                null, AccOnly, true, "1.0");
        if (task.StartsWith("mmlu_", StringComparison.Ordinal) && MmluTask.MedicalSubjects.Contains(task["mmlu_".Length..]))
        {
            var subject = task["mmlu_".Length..];
            return new(task, subject, "cais/mmlu", subject, "test", "dev",
                "{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:", "answer",
                mmluStyle == MmluStyle.Letter ? Letters : "{{choices}}", PromptTemplates.MmluDescription(subject), AccOnly, false, "1.0");
        }
        return new(task, task, dataPath, null, "test", null,
            "Question: {{question}}\n{% for c in choices %}{{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[loop.index0]}}. {{c}}\n{% endfor %}Answer:", "answer",
            "{{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[:choices | length] | list}}", null, AccAndNorm, false, "1.0");
    }
}

/// <summary>A group as the harness configures it: direct children and a size-weighted acc.</summary>
public sealed record HarnessGroupSpec(string Group, IReadOnlyList<string> Children, string Version)
{
    /// <summary>aggregate_metric_list: acc, weight_by_size (as the harness's mmlu groups); acc_norm is not defined for every member.</summary>
    public static readonly IReadOnlyList<HarnessMetric> Aggregate = [new("acc")];
}
