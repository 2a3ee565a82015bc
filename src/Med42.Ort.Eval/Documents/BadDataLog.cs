// Bad-data policy: by default the first bad record aborts with a Med42Exception naming file:line;
// with SkipBad the record is skipped and counted here so the report can say how many were dropped.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Eval.Documents;

public sealed class BadDataLog
{
    private readonly List<string> _messages = [];

    public BadDataLog(bool skipBad) => SkipBad = skipBad;

    public bool SkipBad { get; }
    public int Skipped => _messages.Count;
    public IReadOnlyList<string> Messages => _messages;

    /// <summary>Throws <paramref name="error"/> unless skipping; when skipping, records its message.</summary>
    public void Report(Med42Exception error)
    {
        if (!SkipBad) throw error;
        _messages.Add(error.Message);
    }

    /// <summary>Number of skips whose message starts with <paramref name="file"/> (per-task counts).</summary>
    public int SkippedIn(string file) => _messages.Count(m => m.StartsWith(file + ":", StringComparison.Ordinal));
}
