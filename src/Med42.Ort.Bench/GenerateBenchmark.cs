// `med42 bench generate`: prompt and generation tokens/s of the ONNX decoder per model shape and thread
// count, next to a memory-bandwidth ceiling measured in the same run (decoding reads every fp32 weight once
// per token, so ceiling tok/s = copy bandwidth / weight bytes). Validates greedy determinism first.
using System.Diagnostics;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;
using Spectre.Console;

namespace Med42.Ort.Bench;

internal sealed class GenerateBenchmark : IBenchmark
{
    public string Name => "generate";

    public int Run(BenchOptions o, CancellationToken cancellationToken)
    {
        var csv = new BenchCsv(o.Csv);
        var table = new Table().AddColumns("model", "attention", "threads", "prompt tok/s", "gen tok/s", "copy GB/s", "ceiling tok/s", "% of ceiling");
        var steps = o.Quick ? 32 : o.Steps;
        foreach (var name in o.ModelNames())
        {
            var (label, config, weights) = BenchShapes.Load(name, o);
            using var _ = weights;
            var weightBytes = WeightLayout.ParameterCount(config) * 4.0;
            var prompt = Enumerable.Range(0, 32).Select(i => i == 0 ? 1 : 3 + (i * 37) % (config.VocabSize - 3)).ToArray();
            var options = new GenerationOptions { Steps = Math.Min(steps, config.MaxPositionEmbeddings - 1) };
            foreach (var threads in o.ThreadCounts())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var bandwidth = Ceilings.CopyBandwidth(threads);
                var ceiling = bandwidth / weightBytes;
                List<int>? reference = null;
                foreach (var (attention, attn) in new[] { (AttentionKind.Plain, "plain"), (AttentionKind.Gqa, "gqa") })
                {
                    using var decoder = ModelLoader.CreateDecoder(config, weights, new SessionSettings { Threads = threads }, attention: attention);
                    var (promptRate, genRate, tokens) = Measure(decoder, prompt, options, o.Repeats);
                    // Validate: both attention implementations decode the same greedy tokens.
                    reference ??= tokens;
                    if (!reference.SequenceEqual(tokens)) throw new InvalidOperationException($"{label}: {attn} greedy tokens differ from plain attention's");
                    table.AddRow(label, attn, threads.ToString(), $"{promptRate:F0}", $"{genRate:F1}", $"{bandwidth / 1e9:F1}", $"{ceiling:F0}", $"{100 * genRate / ceiling:F0}%");
                    csv.Append("generate", label, $"attention={attn} threads={threads}", "gen_tok_s", genRate, 100 * genRate / ceiling);
                    csv.Append("generate", label, $"attention={attn} threads={threads}", "prompt_tok_s", promptRate, double.NaN);
                }
            }
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"appended rows to {o.Csv}");
        return 0;
    }

    // Prompt tokens/s (one 32-token forward) and generated tokens/s (greedy from BOS), medians over repeats.
    private static (double Prompt, double Generated, List<int> Tokens) Measure(DecoderSession decoder, int[] prompt, GenerationOptions options, int repeats)
    {
        var gen = new Generator(decoder);
        var tokens = gen.Generate([prompt[..1]], options)[0];
        if (!tokens.SequenceEqual(gen.Generate([prompt[..1]], options)[0]))
            throw new InvalidOperationException("greedy generation is not deterministic");
        var promptRate = Median(repeats, () =>
        {
            using var cache = decoder.NewCache(1);
            var w = Stopwatch.StartNew();
            decoder.Forward(prompt.Select(t => (long)t).ToArray(), Enumerable.Range(0, prompt.Length).Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, prompt.Length).ToArray(), 1, cache);
            return prompt.Length / w.Elapsed.TotalSeconds;
        });
        var genRate = Median(repeats, () =>
        {
            var w = Stopwatch.StartNew();
            var seq = gen.Generate([prompt[..1]], options)[0];
            return (seq.Count - 1) / w.Elapsed.TotalSeconds;
        });
        return (promptRate, genRate, tokens);
    }

    internal static double Median(int repeats, Func<double> measure)
    {
        var values = Enumerable.Range(0, Math.Max(1, repeats)).Select(_ => measure()).Order().ToArray();
        return values[values.Length / 2];
    }
}
