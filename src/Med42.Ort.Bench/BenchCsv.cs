// One fixed CSV schema for every benchmark (STYLE.md §10): appended, never rewritten.
using System.Globalization;

namespace Med42.Ort.Bench;

internal sealed class BenchCsv(string path)
{
    public const string Header = "date,benchmark,model,setting,metric,value,percent_of_ceiling,machine,cores,commit";

    public void Append(string benchmark, string model, string setting, string metric, double value, double percentOfCeiling)
    {
        var exists = File.Exists(path);
        using var w = new StreamWriter(path, append: true);
        if (!exists) w.WriteLine(Header);
        string Q(string s) => s.Contains(',') ? $"\"{s}\"" : s;
        w.WriteLine(string.Join(",",
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), benchmark, Q(model), Q(setting), metric,
            value.ToString("G6", CultureInfo.InvariantCulture),
            double.IsNaN(percentOfCeiling) ? "" : percentOfCeiling.ToString("F1", CultureInfo.InvariantCulture),
            Q(Machine), Environment.ProcessorCount, Commit()));
    }

    public static string Machine => $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Split(' ')[0]} {CpuModel()}";

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown cpu";
        }
        catch (IOException) { return "unknown cpu"; }
    }

    private static string Commit()
    {
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = System.Diagnostics.Process.Start(psi)!;
            var s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? s : "";
        }
        catch (System.ComponentModel.Win32Exception) { return ""; }
    }
}
