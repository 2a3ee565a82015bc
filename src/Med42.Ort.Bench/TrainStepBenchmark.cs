// Hidden child mode of `bench train` (second of two processes per configuration): loads the artifacts that
// train-prepare wrote into --artifacts (training_model.onnx + params.safetensors), times the steps and prints one
// JSON line. Its peak memory is this whole process's VmHWM, as a user's training process would see it.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Llama;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Bench;

internal sealed class TrainStepBenchmark : IBenchmark
{
    public string Name => "train-step";

    public int Run(BenchOptions o, CancellationToken cancellationToken)
    {
        var spec = TrainBenchSpec.Parse(o.Models);
        var dir = o.Artifacts ?? throw new Med42Exception("bench train-step: --artifacts FOLDER (written by train-prepare) is required");
        var threads = o.ThreadCounts()[0];
        var (label, config) = BenchShapes.Describe(spec.Model, o);
        var (batch, seq) = TrainBenchSpec.Shape(config, o.Quick);
        TrainingState state;
        using (var initial = SafetensorsFile.Open(Path.Combine(dir, TrainBenchSpec.ParamsFile)))
            state = TrainingState.Fresh(spec.Parameters(config), initial);
        var loadedBytes = Status("VmRSS:");
        var b = RandomBatch(batch, seq, config.VocabSize);
        var settings = new SessionSettings { Threads = threads };
        // No dropout masks: TrainBenchSpec.Lora has dropout 0.
        using var session = new TrainingSession(Path.Combine(dir, TrainingArtifacts.TrainingModelFile), settings, state, batch, seq, [],
            withGradients: true, recomputes: spec.Checkpointing);
        var adam = new AdamWOptions(0.9, 0.999, 1e-8, 0.0);
        double Step(int t)
        {
            var w = Stopwatch.StartNew();
            var (loss, _) = session.Run(b);
            if (!double.IsFinite(loss)) throw new InvalidOperationException($"non-finite loss {loss}");
            for (var i = 0; i < state.Parameters.Count; i++)
            {
                var p = state.Parameters[i];
                FusedAdamW.Step(p.Values, session.Gradients[i], p.M, p.V, 1e-5, t, adam, p.Decays);   // the trainer's optimizer step
            }
            return w.Elapsed.TotalSeconds;
        }
        Step(1); // warm-up: allocations, first-run kernel selection
        var steps = Math.Max(1, o.Steps == 256 ? 3 : o.Steps);
        var times = Enumerable.Range(2, steps).Select(Step).Order().ToArray();
        var median = times[times.Length / 2];
        var tokens = (double)batch * seq;
        var n = (double)WeightLayout.ParameterCount(config) - (config.TieWordEmbeddings ? 0 : (double)config.VocabSize * config.HiddenSize);
        var flopsPerToken = (spec.Mode == TrainingMode.Full ? 6 : 4) * n + 12.0 * config.NumHiddenLayers * config.HiddenSize * seq;
        var tps = tokens / median;
        var r = new StepResult(label, spec.ModeName, spec.Checkpointing, threads, batch, seq, median, tps, flopsPerToken * tps / 1e9,
            Status("VmHWM:"), loadedBytes);
        o.Output.Text.WriteLine(JsonSerializer.Serialize(r));
        return 0;
    }

    // One document per row: labels are the next token (the last is ignored), positions restart per row.
    private static Batch RandomBatch(int rows, int seq, int vocab)
    {
        var rng = new SplitMix64(7);
        var ids = new long[rows * seq];
        for (var i = 0; i < ids.Length; i++) ids[i] = 3 + (long)(rng.NextUInt64() % (ulong)(vocab - 3));
        var labels = new long[ids.Length];
        var seg = new long[ids.Length];
        var pos = new long[ids.Length];
        for (var r = 0; r < rows; r++)
            for (var t = 0; t < seq; t++)
            {
                var k = r * seq + t;
                labels[k] = t + 1 < seq ? ids[k + 1] : Packer.IgnoreIndex;
                seg[k] = 1;
                pos[k] = t;
            }
        return new Batch(rows, seq, ids, labels, seg, pos);
    }

    // /proc/self/status values are in kB (0 where it does not exist).
    private static long Status(string key)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
