// `med42 bench generate`: prompt and generation tokens/s of the ONNX decoder per model shape and thread
// count, next to a memory-bandwidth ceiling measured in the same run (decoding reads every weight once per
// token, so ceiling tok/s = copy bandwidth / weight bytes). With --peer llama.cpp, llama.cpp runs the same
// weights (GGUF f32 and q4_0) in the same process, rounds and settings, beside our int4 decoder, and a second
// table gives ours / llama.cpp. Validates first: greedy decoding is deterministic, and every f32 decoder
// (plain ops, GQA, llama.cpp f32) emits the plain decoder's tokens, llama.cpp's prompt logits within 1e-4.
using Med42.Ort.Bench.Peers;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Llama;
using Spectre.Console;

namespace Med42.Ort.Bench;

internal sealed class GenerateBenchmark : IBenchmark
{
    public string Name => "generate";

    public int Run(BenchOptions o, CancellationToken cancellationToken)
    {
        var csv = new BenchCsv(o.Csv);
        var table = new Table().AddColumns("model", "decoder", "threads", "prompt tok/s", "gen tok/s", "copy GB/s", "ceiling tok/s", "% of ceiling");
        var peerTable = new Table().AddColumns("model", "threads", "weights", "ours gen tok/s", "llama.cpp gen tok/s", "gen ours/llama.cpp",
            "ours prompt tok/s", "llama.cpp prompt tok/s", "prompt ours/llama.cpp");
        var steps = o.Quick ? 32 : o.Steps;
        foreach (var name in o.ModelNames())
        {
            var (label, config, weights) = BenchShapes.Load(name, o);
            using var _ = weights;
            using var gguf = new PeerGguf();
            var peerFiles = o.Peer == BenchPeer.LlamaCpp ? ExportPeerFiles(gguf, config, weights) : default;
            var prompt = Enumerable.Range(0, 32).Select(i => i == 0 ? config.BosTokenId : 3 + (i * 37) % (config.VocabSize - 3)).ToArray();
            var genSteps = Math.Min(steps, config.MaxPositionEmbeddings - 1);
            foreach (var threads in o.ThreadCounts())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var bandwidth = Ceilings.CopyBandwidth(threads);
                var runners = GenerationRunners.Ours(config, weights, threads, int4: peerFiles.F32 is not null);
                try
                {
                    if (peerFiles.F32 is not null) runners.AddRange(GenerationRunners.LlamaCpp(config, peerFiles.F32, peerFiles.Q4_0!, threads));
                    var logitDiff = Validate(label, runners, prompt, genSteps);
                    if (logitDiff is { } d) o.Output.Text.WriteLine($"{label}, {threads} threads: llama.cpp f32 = ours (greedy tokens; max |Δ prompt logit| {d:E2})");
                    var rates = TimeRounds(runners, prompt, genSteps, o.Repeats, cancellationToken);
                    foreach (var r in runners)
                    {
                        var (promptRate, genRate) = rates[r];
                        var ceiling = bandwidth / r.WeightBytes;
                        var setting = $"{r.Setting} threads={threads}";
                        table.AddRow(label, r.Name, threads.ToString(), $"{promptRate:F0}", $"{genRate:F1}", $"{bandwidth / 1e9:F1}", $"{ceiling:F0}", $"{100 * genRate / ceiling:F0}%");
                        csv.Append("generate", label, setting, "gen_tok_s", genRate, 100 * genRate / ceiling);
                        csv.Append("generate", label, setting, "prompt_tok_s", promptRate, double.NaN);
                    }
                    if (peerFiles.F32 is not null) AddRatios(peerTable, csv, label, threads, runners, rates);
                }
                finally
                {
                    foreach (var r in runners) r.Dispose();
                }
            }
        }
        o.Output.Tables.Write(table);
        if (o.Peer == BenchPeer.LlamaCpp) o.Output.Tables.Write(peerTable);
        o.Output.Text.WriteLine($"appended rows to {o.Csv}");
        return 0;
    }

    private static (string? F32, string? Q4_0) ExportPeerFiles(PeerGguf gguf, LlamaConfig config, ITensorStore weights)
    {
        var vocabulary = PeerGguf.SyntheticVocabulary(config);
        return (gguf.Export(config, weights, vocabulary, GgufQuant.F32), gguf.Export(config, weights, vocabulary, GgufQuant.Q4_0));
    }

    /// <summary>
    /// Before any timing: greedy decoding is deterministic, every f32 decoder emits the plain decoder's tokens, and
    /// llama.cpp f32's prompt logits equal the plain decoder's (PeerValidation). Returns that logit difference, if a peer ran.
    /// </summary>
    internal static double? Validate(string label, IReadOnlyList<IGenerationRunner> runners, int[] prompt, int steps)
    {
        var reference = runners[0].Greedy(steps);
        if (!reference.SequenceEqual(runners[0].Greedy(steps))) throw new InvalidOperationException($"{label}: greedy generation is not deterministic");
        double? logitDiff = null;
        foreach (var r in runners.Skip(1).Where(r => !r.FourBit))
        {
            var tokens = r.Greedy(steps);
            if (!r.IsPeer)
            {
                if (!reference.SequenceEqual(tokens)) throw new InvalidOperationException($"{label}: {r.Name} greedy tokens differ from plain attention's");
                continue;
            }
            PeerValidation.SameTokens($"{label}: {r.Name}", reference, tokens);
            logitDiff = PeerValidation.SameLogits($"{label}: {r.Name} prompt", runners[0].PromptLogits(prompt), Rows(r.PromptLogits(prompt), prompt.Length));
        }
        return logitDiff;
    }

    private static float[][] Rows(float[] flat, int t) => [.. flat.Chunk(flat.Length / t)];

    // Interleaved rounds (each decoder's prompt and generation once per round, in turn) after a warm-up, so machine
    // noise hits every decoder alike; the median round per decoder.
    private static Dictionary<IGenerationRunner, (double Prompt, double Gen)> TimeRounds(IReadOnlyList<IGenerationRunner> runners, int[] prompt, int steps,
        int repeats, CancellationToken cancellationToken)
    {
        foreach (var r in runners) r.PromptRate(prompt);
        var prompts = runners.ToDictionary(r => r, _ => new List<double>());
        var gens = runners.ToDictionary(r => r, _ => new List<double>());
        for (var round = 0; round < Math.Max(1, repeats); round++)
            foreach (var r in runners)
            {
                cancellationToken.ThrowIfCancellationRequested();
                prompts[r].Add(r.PromptRate(prompt));
                gens[r].Add(r.GenerateRate(steps));
            }
        return runners.ToDictionary(r => r, r => (Median(prompts[r]), Median(gens[r])));
    }

    // ours GQA / llama.cpp f32 and ours int4 / llama.cpp q4_0.
    private static void AddRatios(Table table, BenchCsv csv, string label, int threads, IReadOnlyList<IGenerationRunner> runners,
        Dictionary<IGenerationRunner, (double Prompt, double Gen)> rates)
    {
        foreach (var (ours, theirs, weights) in new[] { ("gqa", "llama.cpp f32", "f32"), ("int4 gqa", "llama.cpp q4_0", "4-bit") })
        {
            var a = rates[runners.Single(r => r.Name == ours)];
            var b = rates[runners.Single(r => r.Name == theirs)];
            table.AddRow(label, threads.ToString(), weights, $"{a.Gen:F1}", $"{b.Gen:F1}", $"{a.Gen / b.Gen:F2}", $"{a.Prompt:F0}", $"{b.Prompt:F0}", $"{a.Prompt / b.Prompt:F2}");
            csv.Append("generate", label, $"ours={ours} peer={theirs} threads={threads}", "gen_ratio_vs_llamacpp", a.Gen / b.Gen, double.NaN);
            csv.Append("generate", label, $"ours={ours} peer={theirs} threads={threads}", "prompt_ratio_vs_llamacpp", a.Prompt / b.Prompt, double.NaN);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    internal static double Median(int repeats, Func<double> measure)
    {
        var values = Enumerable.Range(0, Math.Max(1, repeats)).Select(_ => measure()).Order().ToArray();
        return values[values.Length / 2];
    }
}
