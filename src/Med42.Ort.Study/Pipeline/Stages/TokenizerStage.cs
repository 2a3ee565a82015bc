// tokenizer/: a BPE tokenizer (tokenizer.json) trained on the study's training text, corpus and instruction
// records as the Med42 template renders them (embedded base only).
using System.Text.Json;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Study.Facts;
using Med42.Ort.Training.Data;

namespace Med42.Ort.Study.Pipeline.Stages;

internal sealed class TokenizerStage(StudyContext study) : IStudyStage
{
    public const string StageName = "tokenizer";

    public string Name => StageName;
    public bool IsTraining => true;

    public void Run(string dir)
    {
        var model = study.Config.Model;
        study.Report(Name, 0, 1, $"training a {model.VocabSize}-piece BPE tokenizer");
        var texts = File.ReadAllText(Path.Combine(study.DataDir, StudyDataset.CorpusFile)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Concat(ReadInstructTexts(Path.Combine(study.DataDir, StudyDataset.InstructFile)));
        var bpe = BpeTrainer.Train(texts, new BpeTrainerOptions { VocabSize = model.VocabSize }, study.Cancellation);
        HfTokenizerJson.Write(bpe, dir, new HfTokenizerOptions { ModelMaxLength = model.MaxPositions });
    }

    private static IEnumerable<string> ReadInstructTexts(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.Trim().Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.TryGetProperty("text", out var text)) { yield return text.GetString() ?? ""; continue; }
            // As the Med42 template renders it, so the system prompt and tags become a few pieces, not dozens.
            yield return $"\n<|system|>: {ChatTemplate.Med42DefaultSystem}\n<|prompter|>:{r.GetProperty("instruction").GetString()}\n<|assistant|>:\n{r.GetProperty("output").GetString()}";
        }
    }
}
