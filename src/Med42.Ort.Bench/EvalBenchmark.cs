// `med42 bench eval`: evaluation scoring throughput (a benchmark program, not a test). For random
// stories15M- and 110M-shape Llamas with the Llama-2 tokenizer over MedQA dev questions it
//   1. validates: the fast path equals the naive path (|Δ log-likelihood| ≤ 1e-4) on the first questions;
//   2. times the naive path (one full forward per option, C# log-softmax), the generation path's batched
//      full logits (FullLogitsScorer), and the fast path (OnnxScorer) on the naive path's requests and for
//      each batch size on more questions, in interleaved rounds (median per path);
//   3. measures ONNX Runtime's own f32 MatMul rate with constant (pre-packed) weights as the ceiling.
//   4. with --peer llama.cpp: the same weights as a GGUF f32 scored by llama.cpp (LlamaCppScorer, one decode per
//      request), validated against the fast path first (PeerValidation), timed in the same rounds; questions/s of
//      llama.cpp and of our fastest fast-path row, and their ratio.
// Scored tokens = Σ request input lengths (what one forward per option processes); scored-token FLOP/s =
// 2 × matmul parameters × scored tokens/s, so prefix reuse can exceed the ceiling (work avoided).
using System.Diagnostics;
using System.Globalization;
using Med42.Ort.Bench.Peers;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Onnx;
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Scoring;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Bench;

internal sealed class EvalBenchmark : IBenchmark
{
    public string Tokenizer { get; set; } = "";

    public string MedQa { get; set; } = "";

    public string Shapes { get; set; } = "stories15M,110M";

    public int Questions { get; set; } = 8;

    public int NaiveQuestions { get; set; } = 2;

    public string BatchSizes { get; set; } = "1,2,4,8,16,32";

    public int FullLogitsBatch { get; set; } = 4;

    public string? Csv { get; set; }

    public int Repeats { get; set; } = 3;

    // The stories shapes in their scoring variant (LlamaShapes.ForScoring: 1024 positions, untied lm_head).
    private static LlamaConfig Shape(string name) => name.ToLowerInvariant() switch
    {
        "stories15m" or "15m" => LlamaShapes.ForScoring(LlamaShapes.Stories15M),
        "110m" => LlamaShapes.ForScoring(LlamaShapes.Stories110M),
        _ => throw new Med42Exception($"--shapes: unknown shape '{name}' (expected stories15M or 110M)"),
    };

    private readonly List<string> _rows = [];

    public string Name => "eval";

    private int Threads { get; set; }
    private BenchPeer Peer { get; set; }
    private TextWriter Out { get; set; } = TextWriter.Null;
    private SessionSettings Session() => new() { Threads = Threads };

    public int Run(BenchOptions o, CancellationToken cancellationToken)
    {
        Out = o.Output.Text;
        Tokenizer = o.Tokenizer ?? throw new Med42Exception("bench eval: --tokenizer (the Llama-2 tokenizer.model) is required");
        MedQa = o.MedQa ?? throw new Med42Exception("bench eval: --medqa (MedQA 4-option JSONL) is required");
        Shapes = o.Models.Replace("stories260K,", "", StringComparison.OrdinalIgnoreCase);
        Questions = o.Quick ? 2 : o.Questions;
        NaiveQuestions = o.NaiveQuestions;
        BatchSizes = o.BatchSizes;
        FullLogitsBatch = o.FullLogitsBatch;
        Csv = o.Csv;
        Repeats = o.Repeats;
        Threads = o.ThreadCounts().Max();
        Peer = o.Peer;
        var tokenizer = TokenizerLoader.Load(Tokenizer);
        if (tokenizer.VocabSize != 32000) throw new Med42Exception($"{Tokenizer}: expected the 32000-piece Llama-2 tokenizer, got {tokenizer.VocabSize}");
        var task = new MedQaTask(MedQa);
        var docs = task.LoadDocs(new BadDataLog(false));
        var batchSizes = BatchSizes.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var settings = Session();
        var threads = Threads > 0 ? Threads.ToString(CultureInfo.InvariantCulture) : "default";
        var device = $"{Environment.ProcessorCount} logical CPUs, {threads} threads, {settings.Device}";
        Out.WriteLine($"# med42 bench eval — {device}, {DateTime.UtcNow:yyyy-MM-dd}");

        foreach (var shapeName in Shapes.Split(','))
            RunShape(shapeName, tokenizer, task, docs, batchSizes, settings, device, cancellationToken);
        if (Csv is not null)
        {
            var header = !File.Exists(Csv);
            using var w = File.AppendText(Csv);
            if (header) w.WriteLine("bench,shape,path,batch,tokens_per_s,gflops,device,date");
            foreach (var r in _rows) w.WriteLine(r);
        }
        return 0;
    }

    // One shape: its MatMul ceiling, the fast-vs-naive validation, the timed paths and their table.
    private void RunShape(string shapeName, ITextTokenizer tokenizer, MedQaTask task, IReadOnlyList<MultipleChoiceDoc> docs, int[] batchSizes,
        SessionSettings settings, string device, CancellationToken cancellationToken)
    {
        var config = Shape(shapeName.Trim());
        var matmulParams = WeightLayout.For(config).Where(w => w.Kind is WeightKind.Linear or WeightKind.LmHead).Sum(w => w.ElementCount);
        Out.WriteLine($"\n## {shapeName}: {matmulParams / 1e6:F1}M matmul parameters (2 FLOP each per token)");
        var ceiling = MatMulCeiling(config, settings);
        Out.WriteLine($"ORT f32 MatMul, constant weights [{config.HiddenSize}×{config.IntermediateSize}], 512 rows: {ceiling:F1} GFLOP/s → ceiling {ceiling * 1e9 / (2.0 * matmulParams):F0} tokens/s");
        Record(shapeName, "matmul-ceiling", 0, 0, ceiling * 1e9 / (2.0 * matmulParams), ceiling, device);

        var weights = TinyLlama.Create(config, seed: 1);
        var split = new RequestTokenizer(tokenizer, config.MaxPositionEmbeddings);
        var all = Requests(task, docs.Take(Questions).ToArray(), split);
        var naiveSet = Requests(task, docs.Take(Math.Min(NaiveQuestions, Questions)).ToArray(), split);

        using var graphs = ScoringGraphs.Create(config, weights, settings);
        using var naive = NaiveModelScorer.Create(config, weights, settings);
        Validate(naive, graphs, naiveSet);

        // Timed rounds, every path once per round in turn, so machine noise hits all paths alike; each row reports its
        // median round. "fast (naive set)" scores exactly the naive path's requests.
        // The plain-op attention block (instead of the fused MultiHeadAttention) scores the same rows for comparison.
        using var plainGraphs = ScoringGraphs.Create(config, weights, settings, attention: Llama.Blocks.PlainAttention.Instance);
        var paths = Paths(naive, graphs, plainGraphs, naiveSet, all, batchSizes);
        using var gguf = new PeerGguf();
        using var peer = Peer == BenchPeer.LlamaCpp ? LlamaCppPeer(gguf, config, weights, graphs, naiveSet) : null;
        if (peer is not null) paths.Add(new("llama.cpp f32 (one decode per request)", 1, new LlamaCppScorer(peer), all, null));
        var rounds = Math.Max(1, Repeats);
        foreach (var p in paths) p.Scorer.Score(p.Requests, null, cancellationToken);   // warm-up: arenas grow to their shapes
        for (var round = 0; round < rounds; round++)
            foreach (var p in paths) p.TimeOnce(cancellationToken);

        Out.WriteLine($"median of {rounds} interleaved rounds after a warm-up round");
        Out.WriteLine();   // Markdown: a table starts after a blank line and ends at one
        Out.WriteLine("| path | batch | requests | scored tokens | s | scored tokens/s | scored GFLOP/s | % of MatMul ceiling | computed tokens/s |");
        Out.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in paths) Report(shapeName, p, matmulParams, ceiling, device);
        Out.WriteLine();
        var sameSet = paths.First(p => p.Path == "fast (naive set)");
        var ratio = paths[0].MedianSeconds / sameSet.MedianSeconds;
        Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fast / naive on the same {naiveSet.Count} requests: {ratio:F2}× (per-round ratios {string.Join(", ", paths[0].Seconds.Zip(sameSet.Seconds, (n, f) => (n / f).ToString("F2", CultureInfo.InvariantCulture)))})"));
        Record(shapeName, "fast-over-naive", 4, naiveSet.Count, ratio, 0, device);
        if (peer is not null) ReportPeer(shapeName, paths, Math.Min(Questions, docs.Count), device);
        foreach (var p in paths)
            if (p.Scorer is OnnxScorer scorer) scorer.Dispose();
    }

    // Validate before timing: the fast path's log-likelihoods equal the naive path's.
    private void Validate(NaiveModelScorer naive, ScoringGraphs graphs, IReadOnlyList<TokenRequest> naiveSet)
    {
        using var check = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = 8 });
        var a = naive.Score(naiveSet);
        var b = check.Score(naiveSet);
        var maxDiff = a.Zip(b, (x, y) => Math.Abs(x.LogLikelihood - y.LogLikelihood)).Max();
        Out.WriteLine($"validation: max |fast − naive| = {maxDiff:E2} over {naiveSet.Count} requests");
        if (maxDiff > 1e-4) throw new InvalidOperationException($"fast path differs from the naive path by {maxDiff}");
    }

    // llama.cpp on the same weights (GGUF f32, the Llama-2 vocabulary), checked against our fast path before timing.
    private LlamaCppModel LlamaCppPeer(PeerGguf gguf, LlamaConfig config, ITensorStore weights, ScoringGraphs graphs, IReadOnlyList<TokenRequest> naiveSet)
    {
        var path = gguf.Export(config, weights, GgufVocabulary.FromSentencePiece(Tokenizer, config), GgufQuant.F32);
        var model = LlamaCppModel.Load(path, Math.Max(1, Threads), config.MaxPositionEmbeddings);
        try
        {
            using var ours = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = 8 });
            var maxDiff = PeerValidation.SameLoglikelihoods(ours.Score(naiveSet), new LlamaCppScorer(model).Score(naiveSet), [.. naiveSet.Select(r => r.TargetIds.Length)]);
            Out.WriteLine($"validation: max |llama.cpp − fast| = {maxDiff:E2} over {naiveSet.Count} requests (tolerance 2e-4 per scored token)");
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // Questions/s of llama.cpp and of our fastest fast-path row on the same questions, and ours / llama.cpp.
    private void ReportPeer(string shape, List<TimedPath> paths, int questions, string device)
    {
        var cpp = paths.Single(p => p.Scorer is LlamaCppScorer);
        var best = paths.Where(p => p.Path == "fast").MinBy(p => p.MedianSeconds)!;
        var ratio = cpp.MedianSeconds / best.MedianSeconds;
        Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MCQ scoring, {questions} questions: ours (fast, batch {best.Batch}) {questions / best.MedianSeconds:F2} questions/s, llama.cpp {questions / cpp.MedianSeconds:F2} questions/s, ours / llama.cpp {ratio:F2}×"));
        Record(shape, "fast-over-llama.cpp", best.Batch, cpp.Requests.Count, ratio, 0, device);
    }

    // naive (the reference) first, then full-logits, the fast path on the naive set (fused and plain attention) and
    // the fast path per batch size on every request.
    private List<TimedPath> Paths(NaiveModelScorer naive, ScoringGraphs graphs, ScoringGraphs plainGraphs,
        IReadOnlyList<TokenRequest> naiveSet, IReadOnlyList<TokenRequest> all, int[] batchSizes)
    {
        var paths = new List<TimedPath> { new("naive", 1, naive, naiveSet, null) };
        if (FullLogitsBatch > 0) paths.Add(new("full-logits", FullLogitsBatch, new FullLogitsScorer(naive.Decoder, FullLogitsBatch), naiveSet, null));
        var sameSet = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = 4 });
        paths.Add(new("fast (naive set)", 4, sameSet, naiveSet, () => sameSet.LastStats));
        var plainSet = new OnnxScorer(plainGraphs, new OnnxScorerOptions { BatchSize = 4 });
        paths.Add(new("fast, plain attention (naive set)", 4, plainSet, naiveSet, () => plainSet.LastStats));
        foreach (var batch in batchSizes)
        {
            var fast = new OnnxScorer(graphs, new OnnxScorerOptions { BatchSize = batch });
            paths.Add(new("fast", batch, fast, all, () => fast.LastStats));
        }
        return paths;
    }

    private static IReadOnlyList<TokenRequest> Requests(IEvalTask task, IReadOnlyList<MultipleChoiceDoc> docs, RequestTokenizer split) =>
        docs.SelectMany(d => EvalRunner.RequestsFor(task, d)).Select(split.Tokenize).ToArray();

    // One path of the benchmark and its timed rounds.
    private sealed record TimedPath(string Path, int Batch, ILoglikelihoodScorer Scorer, IReadOnlyList<TokenRequest> Requests, Func<ScoringStats>? Stats)
    {
        public List<double> Seconds { get; } = [];
        public long ComputedTokens { get; private set; }
        public double MedianSeconds => Seconds.Order().ElementAt(Seconds.Count / 2);

        public void TimeOnce(CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            Scorer.Score(Requests, null, ct);
            Seconds.Add(watch.Elapsed.TotalSeconds);
            ComputedTokens = Stats is null ? Requests.Sum(r => (long)r.InputIds.Length) : Stats().PrefixTokens + Stats().SuffixTokens;
        }
    }

    private void Report(string shape, TimedPath p, long matmulParams, double ceilingGflops, string device)
    {
        var s = p.MedianSeconds;
        var tokens = p.Requests.Sum(r => (long)r.InputIds.Length);
        var tps = tokens / s;
        var gflops = 2.0 * matmulParams * tps / 1e9;
        Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {p.Path} | {p.Batch} | {p.Requests.Count} | {tokens} | {s:F2} | {tps:F0} | {gflops:F1} | {100 * gflops / ceilingGflops:F0}% | {p.ComputedTokens / s:F0} |"));
        Record(shape, p.Path, p.Batch, p.Requests.Count, tps, gflops, device);
    }

    private void Record(string shape, string path, int batch, int requests, double tps, double gflops, string device) =>
        _rows.Add(string.Create(CultureInfo.InvariantCulture, $"eval,{shape},{path},{batch},{tps:F1},{gflops:F2},\"{device}\",{DateTime.UtcNow:yyyy-MM-dd}"));

    /// <summary>GFLOP/s of x[512,C]·W[C,F] with W a constant initializer (MLAS pre-packs it at session creation).</summary>
    private static double MatMulCeiling(LlamaConfig c, SessionSettings settings)
    {
        const int rows = 512;
        var b = new GraphBuilder("matmul_ceiling");
        var x = b.Input("x", DType.F32, rows, c.HiddenSize);
        var w = new float[c.HiddenSize * c.IntermediateSize];
        var rng = new SplitMix64(3);
        for (var i = 0; i < w.Length; i++) w[i] = (float)(0.02 * rng.NextNormal());
        var weight = b.Initializer("w", TensorSource.FromFloats([c.HiddenSize, c.IntermediateSize], w));
        b.Output(b.MatMul(x, weight), "y");
        using var session = settings.CreateSession(OnnxExport.ToBytes(b.Graph));
        var input = new float[rows * c.HiddenSize];
        for (var i = 0; i < input.Length; i++) input[i] = (float)rng.NextNormal();
        using var value = OrtValue.CreateTensorValueFromMemory(input, [rows, c.HiddenSize]);
        using var run = new RunOptions();
        double Once(int reps)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < reps; i++)
                using (session.Run(run, ["x"], [value], ["y"])) { }
            return watch.Elapsed.TotalSeconds / reps;
        }
        Once(3); // warm-up
        var perRun = Enumerable.Range(0, 5).Select(_ => Once(4)).Order().ElementAt(2); // median of 5
        return 2.0 * rows * c.HiddenSize * c.IntermediateSize / perRun / 1e9;
    }
}
