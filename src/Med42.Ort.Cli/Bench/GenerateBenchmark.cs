// `med42 bench generate`: prompt and generation tokens/s of the ONNX decoder per model shape and thread
// count, next to a memory-bandwidth ceiling measured in the same run (decoding reads every fp32 weight once
// per token, so ceiling tok/s = copy bandwidth / weight bytes). Validates greedy determinism first.
using System.Diagnostics;
using Med42.Ort.Llama;
using Med42.Ort.Runtime;
using Spectre.Console;

namespace Med42.Ort.Cli.Bench;

internal sealed class GenerateBenchmark : IBenchmark
{
    public string Name => "generate";

    public int Run(BenchCommand o, CancellationToken cancellationToken)
    {
        var csv = new BenchCsv(o.Csv);
        var table = new Table().AddColumns("model", "threads", "prompt tok/s", "gen tok/s", "copy GB/s", "ceiling tok/s", "% of ceiling");
        var steps = o.Quick ? 32 : o.Steps;
        foreach (var name in o.ModelNames())
        {
            var (label, config, weights) = BenchShapes.Load(name, o);
            using var _ = weights;
            var weightBytes = WeightLayout.ParameterCount(config) * 4.0;
            foreach (var threads in o.ThreadCounts())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var bandwidth = Ceilings.CopyBandwidth(threads);
                using var decoder = ModelLoader.CreateDecoder(config, weights, new SessionSettings { Threads = threads });
                var gen = new Generator(decoder);
                var prompt = Enumerable.Range(0, 32).Select(i => i == 0 ? 1 : 3 + (i * 37) % (config.VocabSize - 3)).ToArray();
                var options = new GenerationOptions { Steps = Math.Min(steps, config.MaxPositionEmbeddings - 1) };
                // Validate: greedy decoding is deterministic run to run.
                var first = gen.Generate([prompt[..1]], options);
                if (!first[0].SequenceEqual(gen.Generate([prompt[..1]], options)[0]))
                    throw new InvalidOperationException("greedy generation is not deterministic");
                var promptRate = Median(o.Repeats, () =>
                {
                    using var cache = decoder.NewCache(1);
                    var w = Stopwatch.StartNew();
                    decoder.Forward(prompt.Select(t => (long)t).ToArray(), Enumerable.Range(0, prompt.Length).Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, prompt.Length).ToArray(), 1, cache);
                    return prompt.Length / w.Elapsed.TotalSeconds;
                });
                var genRate = Median(o.Repeats, () =>
                {
                    var w = Stopwatch.StartNew();
                    var seq = gen.Generate([prompt[..1]], options)[0];
                    return (seq.Count - 1) / w.Elapsed.TotalSeconds;
                });
                var ceiling = bandwidth / weightBytes;
                table.AddRow(label, threads.ToString(), $"{promptRate:F0}", $"{genRate:F1}", $"{bandwidth / 1e9:F1}", $"{ceiling:F0}", $"{100 * genRate / ceiling:F0}%");
                csv.Append("generate", label, $"threads={threads}", "gen_tok_s", genRate, 100 * genRate / ceiling);
                csv.Append("generate", label, $"threads={threads}", "prompt_tok_s", promptRate, double.NaN);
            }
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"appended rows to {o.Csv}");
        return 0;
    }

    internal static double Median(int repeats, Func<double> measure)
    {
        var values = Enumerable.Range(0, Math.Max(1, repeats)).Select(_ => measure()).Order().ToArray();
        return values[values.Length / 2];
    }
}
