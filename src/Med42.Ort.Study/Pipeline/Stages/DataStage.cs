// data/: the embedded study data generated from the seed (corpus, instruction set, MCQ sets), plus the
// corpus as JSONL text records for pretraining.
using System.Text.Json;
using Med42.Ort.Study.Facts;

namespace Med42.Ort.Study.Pipeline.Stages;

internal sealed class DataStage(StudyContext study) : IStudyStage
{
    public const string StageName = "data";

    public string Name => StageName;
    public bool IsTraining => true;

    public void Run(string dir)
    {
        study.Report(Name, 0, 1, "generating the study data");
        var data = StudyDataset.Generate(study.Config.Seed);
        data.WriteTo(dir);
        using var w = new StreamWriter(Path.Combine(dir, StudyPipeline.PretrainTextFile));
        foreach (var p in data.Corpus) w.WriteLine(JsonSerializer.Serialize(new { text = p }));
    }
}
