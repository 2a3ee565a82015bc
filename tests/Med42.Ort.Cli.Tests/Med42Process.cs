// Runs the built med42.dll in a child process, as a user would, capturing exit code and both streams.
using System.Diagnostics;

namespace Med42.Ort.Cli.Tests;

internal static class Med42Process
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(TimeSpan.FromMinutes(3), args);

    public static (int Code, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "med42.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"med42 {string.Join(' ', args)} did not finish in {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
