// The in-repo fuzz suite: seeded mutants of every input kind the CLI reads, each judged by FuzzOracle
// (accepted with finite, valid values, or rejected with a one-line Med42Exception naming the file and a
// position; never another exception, never a hang). The default run is 150 mutants × 15 kinds = 2,250
// mutants in seconds; the Slow run takes 2,000 per kind from other seeds (MED42_FUZZ_MUTANTS and
// MED42_FUZZ_SEED change both). A failure prints the kind, the
// mutant's seed and the mutation, enough to rebuild the exact bytes with Mutator(seed).
// Run: dotnet test tests/Med42.Ort.Fuzz.Tests -c Release (add --filter Category=Slow for the long run).
using System.Collections.Concurrent;
using System.Diagnostics;
using Med42.Ort.Fuzz.Tests.Harness;
using Med42.Ort.Fuzz.Tests.Mutation;
using Med42.Ort.Fuzz.Tests.Seeds;
using Xunit.Abstractions;

namespace Med42.Ort.Fuzz.Tests;

public class FuzzTests(ITestOutputHelper output)
{
    public const int DefaultMutantsPerKind = 150;

    private static readonly ConcurrentDictionary<string, Seed> Seeds = new();

    public static TheoryData<string> Kinds() => [.. InputKinds.All.Select(k => k.Name)];

    private static (InputKind, Seed) Load(string name)
    {
        var kind = InputKinds.All.Single(k => k.Name == name);
        return (kind, Seeds.GetOrAdd(name, _ => kind.Seed()));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SeedIsAccepted(string name)
    {
        var (kind, seed) = Load(name);
        var verdict = FuzzOracle.Judge(kind, seed, seed.Files[seed.Target]);
        Assert.True(verdict.Outcome == Outcome.Accepted, $"{name} seed: {verdict.Detail}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void MutantsAreAcceptedValidOrRejectedCleanly(string name) => Run(name, DefaultMutantsPerKind, firstSeed: 1);

    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(Kinds))]
    public void ManyMoreMutants(string name) =>
        Run(name, EnvInt("MED42_FUZZ_MUTANTS") ?? 2000, firstSeed: (ulong)(EnvInt("MED42_FUZZ_SEED") ?? 1_000_000));

    // MED42_FUZZ_MUTANTS / MED42_FUZZ_SEED: longer or different runs of the Slow test without editing it.
    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;

    private void Run(string name, int count, ulong firstSeed)
    {
        var (kind, seed) = Load(name);
        var input = seed.Files[seed.Target];
        var watch = Stopwatch.StartNew();
        var failures = new List<string>();
        var tally = new Dictionary<Outcome, int> { [Outcome.Accepted] = 0, [Outcome.Rejected] = 0, [Outcome.Failed] = 0 };
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var mutantSeed = firstSeed + (ulong)i;
            // Each kind mutates from its own stream so adding a kind leaves the others' mutants unchanged.
            var (bytes, what) = new Mutator(mutantSeed * 0x9E3779B97F4A7C15UL ^ Stable(name)).Mutate(input, kind.Shape);
            var verdict = FuzzOracle.Judge(kind, seed, bytes);
            tally[verdict.Outcome]++;
            if (verdict.Outcome == Outcome.Failed) failures.Add($"{name} mutant {mutantSeed} ({what}): {verdict.Detail}");
            if (verdict.Detail.StartsWith("hang", StringComparison.Ordinal)) break; // its thread still runs: stop before more pile up
            if (verdict.Outcome == Outcome.Rejected)
            {
                var reason = ReasonKey(verdict.Detail);
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
        }
        output.WriteLine($"{name}: {count} mutants in {watch.Elapsed.TotalSeconds:F1} s: {tally[Outcome.Accepted]} accepted, {tally[Outcome.Rejected]} rejected, {tally[Outcome.Failed]} failed");
        foreach (var (reason, n) in reasons.OrderByDescending(r => r.Value).Take(12)) output.WriteLine($"  {n,5}  {reason}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} mutants failed the oracle:\n" + string.Join("\n", failures.Take(20)));
        // The mutator must actually break inputs, and not only break them: both sides of the oracle get exercised.
        Assert.True(tally[Outcome.Rejected] > 0, $"{name}: no mutant was rejected — the mutations do not reach the checks");
        Assert.True(tally[Outcome.Accepted] > 0 || kind.Shape != InputShape.Binary, $"{name}: no mutant was accepted — the mutations only ever break the file");
    }

    // string.GetHashCode is randomised per process; mutants must be the same on every run.
    private static ulong Stable(string s) => s.Aggregate(1469598103934665603UL, (h, c) => (h ^ c) * 1099511628211UL);

    // The reason of a rejection without its numbers and quoted values, to tally which checks fire.
    private static string ReasonKey(string detail)
    {
        var key = System.Text.RegularExpressions.Regex.Replace(detail, @"'[^']*'|""[^""]*""|-?\d+(\.\d+)?(e[+-]?\d+)?", "_");
        return key.Length > 100 ? key[..100] : key;
    }
}
