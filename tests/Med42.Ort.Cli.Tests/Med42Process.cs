// Runs the built med42.dll in a child process, as a user would, capturing exit code and both streams.
using System.Diagnostics;

namespace Med42.Ort.Cli.Tests;

internal static class Med42Process
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(TimeSpan.FromMinutes(3), args);

    public static (int Code, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args) => RunUnder([], timeout, args);

    /// <summary>`launcher… dotnet med42.dll args…`, e.g. under `mpirun -np 2`.</summary>
    public static (int Code, string Stdout, string Stderr) RunUnder(IReadOnlyList<string> launcher, TimeSpan timeout, params string[] args)
    {
        using var p = Start(launcher, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"med42 {string.Join(' ', args)} did not finish in {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts `launcher… dotnet med42.dll args…` with redirected streams (stdin closed).</summary>
    public static Process Start(IReadOnlyList<string> launcher, params string[] args)
    {
        var psi = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in launcher.Skip(1)) psi.ArgumentList.Add(a);
        if (launcher.Count > 0) psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "med42.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.StandardInput.Close();
        return p;
    }
}
