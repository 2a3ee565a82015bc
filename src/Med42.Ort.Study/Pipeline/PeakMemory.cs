// Per-stage peak memory on Linux: writing "5" to /proc/self/clear_refs resets the process's peak RSS
// (VmHWM, proc(5), Linux ≥ 4.0), so VmHWM read after a stage minus VmRSS read before it is the growth of
// resident memory that stage caused. Returns null where /proc is missing or the reset is not allowed.
namespace Med42.Ort.Study.Pipeline;

public sealed class PeakMemory
{
    private readonly long? _before;

    private PeakMemory(long? before) => _before = before;

    public static PeakMemory Start()
    {
        try
        {
            GC.Collect();
            File.WriteAllText("/proc/self/clear_refs", "5");
            return new PeakMemory(Read("VmRSS:"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return new PeakMemory(null); }
    }

    /// <summary>Peak RSS growth since Start, in bytes.</summary>
    public long? Delta()
    {
        if (_before is not { } before || Read("VmHWM:") is not { } hwm) return null;
        return Math.Max(0, hwm - before);
    }

    private static long? Read(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }
}
