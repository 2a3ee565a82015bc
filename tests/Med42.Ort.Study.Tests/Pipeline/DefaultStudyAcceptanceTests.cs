// The study's claims on the embedded default study (StudyDefaults.Embedded(), several minutes on
// 2 CPU cores, hence Slow): every fine-tuned run beats the base by at least 20 accuracy points on the
// held-in facts (asked with held-out question stems), never-trained facts stay within chance ± 2
// stderr for every run, and the report states the full − LoRA difference with its stderr.
using Med42.Ort.Tests.Shared;
using Med42.Ort.Study.Pipeline;
using Med42.Ort.Study.Reports;

namespace Med42.Ort.Study.Tests.Pipeline;

public sealed class DefaultStudyAcceptanceTests
{
    private static TaskScore Score(RunResult run, string task) => run.Scores.Single(s => s.Task == task);

    [Fact]
    [Trait("Category", "Slow")]
    public void DefaultStudyFineTunesBeatBaseAndNeverTrainedStaysAtChance()
    {
        using var tmp = new TempDir();
        var r = StudyPipeline.Run(StudyDefaults.Embedded() with { Out = tmp.Path });
        var baseRun = r.Runs.Single(x => x.Kind == RunKind.Base);
        var tuned = r.Runs.Where(x => x.Kind != RunKind.Base).ToList();
        Assert.Contains(tuned, x => x.Kind == RunKind.Full);
        Assert.True(tuned.Count(x => x.Kind == RunKind.Lora) >= 2, "the study compares at least two LoRA ranks");

        var baseHeldIn = Score(baseRun, StudyPipeline.HeldInTask).Acc;
        foreach (var run in tuned)
        {
            var gain = Score(run, StudyPipeline.HeldInTask).Acc - baseHeldIn;
            Assert.True(gain >= 0.20, $"{run.Name}: held-in gain over base {100 * gain:F1} points (need ≥ 20)");
        }
        foreach (var run in r.Runs)
        {
            var never = Score(run, StudyPipeline.NeverTask);
            // Chance is 25% (four options); ± 2 stderr is the ~95% band of a model that learned nothing about these facts.
            Assert.Equal(0.25, never.Chance, 12);
            Assert.True(never.Stderr is > 0, $"{run.Name}: never-trained stderr missing");
            Assert.True(Math.Abs(never.Acc - never.Chance) <= 2 * never.Stderr!.Value,
                $"{run.Name}: never-trained accuracy {100 * never.Acc:F1}% is outside chance ± 2 stderr (± {200 * never.Stderr:F1})");
        }

        // Full vs each LoRA: the difference on held-in facts is reported with its stderr.
        var md = File.ReadAllText(Path.Combine(r.ReportDir, StudyReport.MarkdownFile));
        var full = tuned.Single(x => x.Kind == RunKind.Full);
        foreach (var lora in tuned.Where(x => x.Kind == RunKind.Lora))
        {
            var expected = $"full − {lora.Name} on {StudyPipeline.HeldInTask}: {StudyReport.Diff(Score(full, StudyPipeline.HeldInTask), Score(lora, StudyPipeline.HeldInTask))} points.";
            Assert.Contains(expected, md);
            Assert.Contains(" ± ", expected);
        }
    }
}
