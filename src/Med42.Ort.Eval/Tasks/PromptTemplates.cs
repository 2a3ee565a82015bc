// The harness's doc_to_text templates (lm-evaluation-harness v0.4: lm_eval/tasks/medqa/preprocess_medqa.py,
// medmcqa/utils.py, pubmedqa/preprocess_pubmedqa.py, mmlu/default/_default_template_yaml), written once so the
// readers and the golden tests share nothing but this contract. See ../shared/design/EVAL_PROTOCOL.md.
using System.Text;

namespace Med42.Ort.Eval.Tasks;

public static class PromptTemplates
{
    /// <summary>Recorded in results.json so numbers are only compared across the same prompts.</summary>
    public const string Version = "lm-eval-harness-v0.4";

    public static readonly string[] Letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"];

    /// <summary>medqa_4options: "Question: {q}\nA. {A}\n…D. {D}\nAnswer:". Also the generic JSONL template (any number of options).</summary>
    public static string MedQa(string question, IReadOnlyList<string> options)
    {
        var sb = new StringBuilder("Question: ").Append(question).Append('\n');
        AppendOptions(sb, options);
        return sb.Append("Answer:").ToString();
    }

    /// <summary>medmcqa: "Question: {q}\nChoices:\nA. {opa}\n…D. {opd}\nAnswer:".</summary>
    public static string MedMcqa(string question, IReadOnlyList<string> options)
    {
        var sb = new StringBuilder("Question: ").Append(question).Append("\nChoices:\n");
        AppendOptions(sb, options);
        return sb.Append("Answer:").ToString();
    }

    /// <summary>pubmedqa: "Abstract: {CONTEXTS joined by \n}\nQuestion: {QUESTION}\nAnswer:".</summary>
    public static string PubMedQa(IReadOnlyList<string> contexts, string question) =>
        "Abstract: " + string.Join("\n", contexts) + "\nQuestion: " + question + "\nAnswer:";

    /// <summary>mmlu doc_to_text: "{question.strip()}\nA. {A}\n…D. {D}\nAnswer:".</summary>
    public static string Mmlu(string question, IReadOnlyList<string> options)
    {
        var sb = new StringBuilder(PythonStrip(question)).Append('\n');
        AppendOptions(sb, options);
        return sb.Append("Answer:").ToString();
    }

    /// <summary>mmlu description: "The following are multiple choice questions (with answers) about {subject with spaces}.\n\n".</summary>
    public static string MmluDescription(string subject) =>
        $"The following are multiple choice questions (with answers) about {subject.Replace('_', ' ')}.\n\n";

    /// <summary>Python's str.strip(): Unicode whitespace plus the \x1c–\x1f separators that .NET does not count.</summary>
    public static string PythonStrip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsPythonSpace(s[start])) start++;
        while (end > start && IsPythonSpace(s[end - 1])) end--;
        return s[start..end];
    }

    public static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    private static void AppendOptions(StringBuilder sb, IReadOnlyList<string> options)
    {
        for (var i = 0; i < options.Count; i++) sb.Append(Letters[i]).Append(". ").Append(options[i]).Append('\n');
    }
}
