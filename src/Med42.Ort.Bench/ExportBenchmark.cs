// `med42 bench export`: generation tokens/s of an exported decoder run by ONNX Runtime GenAI (its own
// greedy loop over a GenAI folder) vs the project's runtime (DecoderSession + Generator over the same
// graph), for fp32 and int4 (MatMulNBits, block 32) per model shape and thread count, same BOS prompt and
// step budget in the same run. Validates first that both greedy loops produce the same tokens.
using System.Diagnostics;
using System.Text.Json.Nodes;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Int4;
using Med42.Ort.Runtime;
using Spectre.Console;
using GenAi = Microsoft.ML.OnnxRuntimeGenAI;

namespace Med42.Ort.Bench;

internal sealed class ExportBenchmark : IBenchmark
{
    public string Name => "export";

    public int Run(BenchOptions o, CancellationToken cancellationToken)
    {
        var csv = new BenchCsv(o.Csv);
        var table = new Table().AddColumns("model", "weights", "threads", "own tok/s", "GenAI tok/s", "GenAI / own", "same tokens");
        var steps = o.Quick ? 16 : o.Steps;
        var tmpRoot = Directory.CreateTempSubdirectory("med42-bench-export-").FullName;
        try
        {
            foreach (var name in o.ModelNames())
            {
                var (label, config, weights) = BenchShapes.Load(name, o);
                using var _ = weights;
                var options = new GenerationOptions { Steps = Math.Min(steps, config.MaxPositionEmbeddings - 1) };
                foreach (var (kind, export) in new[] { ("fp32", new GenAiExportOptions()), ("int4", new GenAiExportOptions { Int4 = new Int4Options() }) })
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var graph = GenAiFolder.BuildGraph(config, weights, export);
                    var folder = Path.Combine(tmpRoot, $"{name}-{kind}");
                    // The folder GenAI reads (no tokenizer: the benchmark feeds token ids).
                    OnnxExport.Save(graph, folder, GenAiFolder.ModelFile, new OnnxExportOptions { ExternalDataThreshold = 1024 });
                    var configPath = Path.Combine(folder, GenAiConfig.FileName);
                    GenAiConfig.Write(configPath, config, GenAiFolder.ModelFile, pastPresentShareBuffer: false);
                    foreach (var threads in o.ThreadCounts())
                    {
                        SetThreads(configPath, threads);
                        using var session = new DecoderSession(new SessionSettings { Threads = threads }.CreateSession(Path.Combine(folder, GenAiFolder.ModelFile)), config);
                        var gen = new Generator(session);
                        using var model = new GenAi.Model(folder);
                        // Validate: both greedy loops agree on the tokens (same graph, same argmax).
                        var own = gen.Generate([[1]], options)[0];
                        var genai = GenAiGreedy(model, options.Steps + 1);
                        var same = own.SequenceEqual(genai);
                        var ownRate = GenerateBenchmark.Median(o.Repeats, () =>
                        {
                            var w = Stopwatch.StartNew();
                            var seq = gen.Generate([[1]], options)[0];
                            return (seq.Count - 1) / w.Elapsed.TotalSeconds;
                        });
                        var genaiRate = GenerateBenchmark.Median(o.Repeats, () =>
                        {
                            var w = Stopwatch.StartNew();
                            var seq = GenAiGreedy(model, options.Steps + 1);
                            return (seq.Length - 1) / w.Elapsed.TotalSeconds;
                        });
                        table.AddRow(label, kind, threads.ToString(), $"{ownRate:F1}", $"{genaiRate:F1}", $"{genaiRate / ownRate:F2}", same ? "yes" : "NO");
                        csv.Append("export", label, $"weights={kind};threads={threads};runtime=own", "gen_tok_s", ownRate, double.NaN);
                        csv.Append("export", label, $"weights={kind};threads={threads};runtime=genai", "gen_tok_s", genaiRate, double.NaN);
                    }
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
        finally
        {
            Directory.Delete(tmpRoot, recursive: true);
        }
        o.Output.Tables.Write(table);
        o.Output.Text.WriteLine($"appended rows to {o.Csv}");
        return 0;
    }

    // GenAI's greedy loop from BOS up to maxLength tokens (it also stops at EOS, as ours does not: rates count tokens made).
    private static int[] GenAiGreedy(GenAi.Model model, int maxLength)
    {
        using var p = new GenAi.GeneratorParams(model);
        p.SetSearchOption("do_sample", false);
        p.SetSearchOption("max_length", maxLength);
        using var generator = new GenAi.Generator(model, p);
        generator.AppendTokens([1]);
        while (!generator.IsDone()) generator.GenerateNextToken();
        return generator.GetSequence(0).ToArray();
    }

    // GenAI takes its session's thread count from genai_config.json's session_options.
    private static void SetThreads(string configPath, int threads)
    {
        var root = JsonNode.Parse(File.ReadAllText(configPath))!;
        root["model"]!["decoder"]!["session_options"]!["intra_op_num_threads"] = threads;
        root["model"]!["decoder"]!["session_options"]!["inter_op_num_threads"] = 1;
        File.WriteAllText(configPath, root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
