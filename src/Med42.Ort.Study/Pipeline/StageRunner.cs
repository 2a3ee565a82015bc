// Resumable stages: each stage owns <out>/<stage>/ and is finished when its marker file
// (<out>/<stage>/stage.done.json, written last) exists and names the same configuration fingerprint.
// An unfinished or stale stage folder is deleted and the stage reruns; --fresh reruns every stage.
// Every stage appends one line {stage, status, seconds, fingerprint} to <out>/stages.jsonl.
using System.Diagnostics;
using System.Text.Json;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Study.Pipeline;

public sealed record StageEvent(string Stage, string Status, double Seconds);

public sealed class StageRunner(string outDir, string fingerprint, bool fresh)
{
    public const string MarkerFile = "stage.done.json";
    public const string LogFile = "stages.jsonl";

    private readonly List<StageEvent> _events = [];

    public string OutDir { get; } = outDir;
    public IReadOnlyList<StageEvent> Events => _events;

    public string Dir(string stage) => Path.Combine(OutDir, stage);

    public bool IsDone(string stage, string? stageFingerprint = null)
    {
        var fp = stageFingerprint ?? fingerprint;
        var marker = Path.Combine(Dir(stage), MarkerFile);
        if (fresh || !File.Exists(marker)) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(marker));
            return doc.RootElement.TryGetProperty("fingerprint", out var f) && f.GetString() == fp;
        }
        catch (JsonException) { return false; }
    }

    /// <summary>Runs <paramref name="work"/> into a clean <c>Dir(stage)</c> unless the stage is already finished.</summary>
    public void Run(string stage, Action<string> work, string? stageFingerprint = null)
    {
        var dir = Dir(stage);
        var fp = stageFingerprint ?? fingerprint;
        if (IsDone(stage, fp))
        {
            Log(new StageEvent(stage, "skipped", 0));
            return;
        }
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        var clock = Stopwatch.StartNew();
        work(dir);
        var seconds = clock.Elapsed.TotalSeconds;
        var marker = Path.Combine(dir, MarkerFile);
        AtomicFile.WriteAllText(marker, JsonSerializer.Serialize(new { stage, fingerprint = fp, seconds }) + "\n");
        Log(new StageEvent(stage, "ran", seconds));
    }

    private void Log(StageEvent e)
    {
        _events.Add(e);
        Directory.CreateDirectory(OutDir);
        File.AppendAllText(Path.Combine(OutDir, LogFile),
            JsonSerializer.Serialize(new { stage = e.Stage, status = e.Status, seconds = Math.Round(e.Seconds, 3), fingerprint, utc = DateTime.UtcNow.ToString("o") }) + "\n");
    }
}
