// The benchmark programs (STYLE.md §10) behind `med42 bench TARGET`: every IBenchmark in this assembly, by name.
// Benchmarks print their tables and lines to BenchOptions.Output (the CLI passes its console). `bench train` re-runs the
// host executable as `bench train-prepare` / `bench train-step` child processes, so the host must wire this verb.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Bench;

public static class Benchmarks
{
    private static readonly IReadOnlyList<IBenchmark> All = typeof(Benchmarks).Assembly.GetTypes()
        .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
        .Select(t => (IBenchmark)Activator.CreateInstance(t)!).ToList();

    /// <summary>Every target name, sorted (including train's child modes).</summary>
    public static IReadOnlyList<string> Targets => All.Select(b => b.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>Runs the benchmark named <paramref name="target"/>; returns its exit code.</summary>
    public static int Run(string target, BenchOptions options, CancellationToken cancellationToken)
    {
        var bench = All.FirstOrDefault(b => b.Name == target)
            ?? throw new Med42Exception($"bench: unknown target '{target}' (available: {string.Join(", ", All.Select(b => b.Name).Order())})");
        return bench.Run(options, cancellationToken);
    }
}
