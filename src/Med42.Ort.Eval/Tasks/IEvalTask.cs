// A configured benchmark task: knows its files, reads its documents and builds the full context
// (description + few-shot examples + prompt) the way the harness's ContextSampler does.
using Med42.Ort.Eval.Documents;

namespace Med42.Ort.Eval.Tasks;

public interface IEvalTask
{
    /// <summary>Harness task name, e.g. "medqa_4options", "mmlu_anatomy".</summary>
    string Name { get; }

    /// <summary>Task version recorded in results.json (the harness's metadata.version).</summary>
    string Version { get; }

    /// <summary>Few-shot examples actually used (0 for tasks without a few-shot split).</summary>
    int NumFewshot { get; }

    /// <summary>The file the documents come from (for messages and results).</summary>
    string DataPath { get; }

    /// <summary>Notes to record in results (e.g. which cop base MedMCQA used).</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Reads and validates every document; a missing file is a Med42Exception naming the task and path.</summary>
    IReadOnlyList<MultipleChoiceDoc> LoadDocs(BadDataLog log);

    /// <summary>The full context for <paramref name="doc"/> (the continuation is " " + choice).</summary>
    string BuildContext(MultipleChoiceDoc doc);
}
