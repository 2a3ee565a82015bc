// The oracle every mutant is judged by: it is either accepted (the consumer returned, having checked
// every value finite and valid) or rejected with a Med42Exception whose message is one line, starts with
// the path of a file in the mutant's folder and names a position in it (line, byte, tensor, key, JSON path,
// piece…). Anything else is a failure: another exception type, a message without file or position, an
// accepted invalid value (OracleViolation), or a reader still running after the per-mutant timeout.
using System.Text.RegularExpressions;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Fuzz.Tests.Harness;

public enum Outcome { Accepted, Rejected, Failed }

public sealed record Verdict(Outcome Outcome, string Detail);

public static partial class FuzzOracle
{
    /// <summary>Per mutant: a reader of these few-kilobyte files that takes longer is stuck, not slow.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Writes <paramref name="bytes"/> as the seed's target in a fresh folder and runs the kind's consumer on it.</summary>
    public static Verdict Judge(InputKind kind, Seeds.Seed seed, byte[] bytes)
    {
        var dir = Directory.CreateTempSubdirectory("med42-fuzz-").FullName;
        try
        {
            seed.WriteTo(dir, bytes);
            var run = System.Threading.Tasks.Task.Run(() => kind.Consume(dir, seed.Target));
            if (!run.Wait(Timeout) && !run.IsCompleted) return new Verdict(Outcome.Failed, $"hang: still running after {Timeout.TotalSeconds} s");
            return new Verdict(Outcome.Accepted, "accepted");
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            return Classify(e.InnerException!, dir);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { } // a hung reader may still hold a file; the OS temp cleaner gets it
        }
    }

    public static Verdict Classify(Exception e, string dir)
    {
        if (e is OracleViolation v) return new Verdict(Outcome.Failed, $"accepted an invalid value: {v.Message}");
        if (e is not Med42Exception m) return new Verdict(Outcome.Failed, $"crash: {e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
        var message = m.Message;
        if (message.Contains('\n') || message.Contains('\r')) return new Verdict(Outcome.Failed, $"message is not one line: {message}");
        if (!message.StartsWith(dir + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !message.StartsWith(dir + ":", StringComparison.Ordinal))
            return new Verdict(Outcome.Failed, $"message does not start with the file: {message}");
        var rest = message[(message.IndexOf(':', dir.Length) + 1)..];
        if (!Position().IsMatch(message[dir.Length..]))
            return new Verdict(Outcome.Failed, $"message names no position: {message}");
        return new Verdict(Outcome.Rejected, rest.Trim());
    }

    // "file: line 3:", "file:3:", "file: byte 12", "file: tensor 'x'", "file: key 'r'", "file: $.model.type",
    // "file: metadata 'k'", "file: piece 4", "file: header", "file: 'hidden_size'", "file: lora: 'alpha'" and the like,
    // right after the file name.
    [GeneratedRegex(@"^[^:]*(:\d+: |: (line \d+|byte \d+|tensor '|key '|metadata '|\$|piece \d+|pieces|token \d+|header|file size|top level|trainer_spec|weight_map|shard '|__metadata__|([a-z_]+: )?'[A-Za-z_0-9.]+'))")]
    private static partial Regex Position();
}
