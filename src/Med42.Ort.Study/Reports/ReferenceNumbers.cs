// Published Med42-70B zero-shot accuracies (full fine-tune of Llama-2-70B; M42 model card), as quoted in
// ../shared/design/EVAL_PROTOCOL.md "Published reference". Shown in the report in their own table so a
// user with real checkpoints can compare; they are never mixed with the miniature study's numbers.
namespace Med42.Ort.Study.Reports;

public static class ReferenceNumbers
{
    public const string Source = "Med42-70B model card (M42 Health), quoted in design/EVAL_PROTOCOL.md";
    public const string Protocol = "EleutherAI lm-evaluation-harness, zero-shot multiple choice, log-likelihood of each choice, accuracy";

    /// <summary>(task as the harness names it, published accuracy in percent).</summary>
    public static readonly (string Task, double Accuracy)[] Med42_70B =
    [
        ("mmlu_clinical_knowledge", 74.3),
        ("mmlu_college_biology", 84.0),
        ("mmlu_college_medicine", 68.8),
        ("mmlu_medical_genetics", 86.0),
        ("mmlu_professional_medicine", 79.8),
        ("mmlu_anatomy", 67.4),
        ("medmcqa", 60.9),
        ("medqa_4options", 61.5),
        ("usmle_self_assessment", 71.7),
        ("usmle_sample_exam", 72.0),
    ];
}
