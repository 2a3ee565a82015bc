// `med42 bench export-memory`: writes a random ~1.1B-parameter BF16 checkpoint as sharded safetensors
// (streamed: never held in memory), then exports it to ONNX with external data in this process and reports
// peak resident memory against the checkpoint size. Shape: LlamaShapes.TinyLlama1_1B (C 2048, F 5632, L 22, H 32, Hkv 4).
using System.Diagnostics;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Spectre.Console;

namespace Med42.Ort.Bench;

internal sealed class ExportMemoryBenchmark : IBenchmark
{
    public string Name => "export-memory";

    public int Run(BenchOptions o, CancellationToken cancellationToken)
    {
        var config = o.Quick ? LlamaShapes.TinyLlama1_1B with { NumHiddenLayers = 2 } : LlamaShapes.TinyLlama1_1B;
        var work = Directory.CreateTempSubdirectory("med42-export-bench-").FullName;
        try
        {
            var ckptDir = Path.Combine(work, "hf");
            Directory.CreateDirectory(ckptDir);
            var sources = WeightLayout.For(config).Select(spec => new Core.Checkpoints.TensorSource(
                new TensorInfo(spec.Name, DType.BF16, spec.Shape), s => WriteRandomBf16(s, spec.ElementCount, spec.Name.GetHashCode()))).ToList();
            SafetensorsWriter.WriteSharded(ckptDir, sources, 500_000_000, new Dictionary<string, string> { ["format"] = "pt" });
            HfConfigJson.Write(Path.Combine(ckptDir, HfConfigJson.ConfigFileName), config, DType.BF16);
            var ckptBytes = Directory.EnumerateFiles(ckptDir, "*.safetensors").Sum(f => new FileInfo(f).Length);

            var before = CurrentRss();
            var watch = Stopwatch.StartNew();
            using (var ckpt = LlamaCheckpoint.Open(ckptDir))
            {
                var graph = new DecodingGraphBuilder(ckpt.Config).Build(ckpt.Weights);
                OnnxExport.Save(graph, Path.Combine(work, "onnx"), "model.onnx", new OnnxExportOptions { ExternalDataThreshold = 1024 });
            }
            var seconds = watch.Elapsed.TotalSeconds;
            var peak = PeakRss();
            var onnxBytes = Directory.EnumerateFiles(Path.Combine(work, "onnx")).Sum(f => new FileInfo(f).Length);
            var table = new Table().AddColumns("parameters", "checkpoint (BF16)", "ONNX (fp32 + external data)", "RSS before", "peak RSS", "peak / checkpoint", "seconds");
            table.AddRow($"{WeightLayout.ParameterCount(config):N0}", Gb(ckptBytes), Gb(onnxBytes), Gb(before), Gb(peak), $"{100.0 * peak / ckptBytes:F0}%", $"{seconds:F1}");
            o.Output.Tables.Write(table);
            new BenchCsv(o.Csv).Append("export-memory", $"random {WeightLayout.ParameterCount(config) / 1e9:F2}B BF16", "fp32 onnx external data", "peak_rss_bytes", peak, 100.0 * peak / ckptBytes);
            return 0;
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    private static string Gb(long bytes) => $"{bytes / 1e9:F2} GB";

    private static void WriteRandomBf16(Stream s, long count, int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        var buffer = new byte[1 << 20];
        for (long done = 0; done < count;)
        {
            var n = (int)Math.Min(buffer.Length / 2, count - done);
            for (var i = 0; i < n; i++)
            {
                var bits = FloatConvert.ToBFloat16((float)((rng.NextDouble() - 0.5) * 0.04));
                buffer[2 * i] = (byte)bits;
                buffer[2 * i + 1] = (byte)(bits >> 8);
            }
            s.Write(buffer, 0, 2 * n);
            done += n;
        }
    }

    private static long CurrentRss() => ReadStatus("VmRSS:");
    private static long PeakRss() => ReadStatus("VmHWM:");

    // /proc/self/status reports kB; VmHWM is the peak resident set size of this process.
    private static long ReadStatus(string key)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
