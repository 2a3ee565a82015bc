// report/: report.md, report.html and the charts, from every run's result. Cheap, and it reflects every
// stage (including which ran or were skipped this time), so it is rewritten on every invocation.
using Med42.Ort.Study.Reports;

namespace Med42.Ort.Study.Pipeline.Stages;

internal sealed class ReportStage(StudyContext study, StudyReport report) : IStudyStage
{
    public const string StageName = "report";

    public string Name => StageName;
    public bool IsTraining => false;

    public void Run(string dir) => report.Write(dir, study.Stages.Events);

    /// <summary>Deletes the previous report so the stage runs again.</summary>
    public void Invalidate()
    {
        var dir = study.Stages.Dir(Name);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
