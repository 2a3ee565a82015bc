// Real token requests for the scorer parity tests: the first few documents of every dev file in
// ../shared/data (MedQA, MedMCQA, PubMedQA, the six MMLU subjects), built by the same EvalRunner
// request path `med42 eval` uses.
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests.Onnx;

public static class DevRequests
{
    public static IEnumerable<IEvalTask> Tasks(int mmluFewshot = 0)
    {
        yield return new MedQaTask(SharedData.Path("medqa/phrases_no_exclude_dev.jsonl"));
        yield return new MedMcqaTask(SharedData.Path("medmcqa/dev_sample300.json"));
        yield return new PubMedQaTask(SharedData.Path("pubmedqa/pqal_dev500.json"));
        foreach (var s in MmluTask.MedicalSubjects)
        {
            var dev = SharedData.Path($"mmlu/dev/{s}_dev.csv");
            yield return new MmluTask(s, dev, dev, mmluFewshot);
        }
    }

    /// <summary>(requests, choice count per document) over the first <paramref name="perTask"/> documents of each task.</summary>
    public static (IReadOnlyList<TokenRequest> Requests, IReadOnlyList<MultipleChoiceDoc> Docs) Build(ITextTokenizer tokenizer, int maxLength, int perTask, int skip = 0)
    {
        var split = new RequestTokenizer(tokenizer, maxLength);
        var requests = new List<TokenRequest>();
        var docs = new List<MultipleChoiceDoc>();
        foreach (var task in Tasks())
            foreach (var doc in task.LoadDocs(new BadDataLog(false)).Skip(skip).Take(perTask))
            {
                docs.Add(doc);
                requests.AddRange(EvalRunner.RequestsFor(task, doc).Select(split.Tokenize));
            }
        return (requests, docs);
    }
}
