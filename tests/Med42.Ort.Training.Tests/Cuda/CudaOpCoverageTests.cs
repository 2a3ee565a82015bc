// `--device cuda` cannot be run here, so this checks statically that ONNX Runtime's CUDA execution provider
// registers a kernel for every (domain, op, opset, dtype) our exported graphs use: training and eval graphs
// (full and LoRA, fp32) and the inference decoder (fp32, fp16). The registry is cuda_kernels.tsv, rows copied
// from ORT's docs/OperatorKernels.md (CUDAExecutionProvider section; see the file's header). A node whose
// combination is missing would silently fall back to CPU (copies every step) or fail to load; the test names it.
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter CudaOpCoverage
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Training.Artifacts;

namespace Med42.Ort.Training.Tests.Cuda;

public class CudaOpCoverageTests
{
    /// <summary>One registry row: a kernel for [Since, Until] of an op, with the types one constraint accepts.</summary>
    private sealed record KernelRow(string Domain, string Op, int Since, int Until, string Constraint, HashSet<string> Types);

    // The table sits beside this source file (no copy step in the test project).
    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    private static List<KernelRow> LoadRegistry()
    {
        var path = Path.Combine(Path.GetDirectoryName(ThisFile())!, "cuda_kernels.tsv");
        var rows = new List<KernelRow>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.StartsWith('#') || line.Length == 0 || line.StartsWith("domain\t", StringComparison.Ordinal)) continue;
            var f = line.Split('\t');
            if (f.Length != 6) throw new FormatException($"{path}:{lineNo}: expected 6 tab-separated fields, got {f.Length}");
            rows.Add(new KernelRow(f[0], f[1], int.Parse(f[2]), f[3] == "+" ? int.MaxValue : int.Parse(f[3]), f[4],
                f[5].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)));
        }
        return rows;
    }

    // The ONNX/ORT type string OperatorKernels.md uses for a dtype.
    private static string TypeName(DType t) => t switch
    {
        DType.F32 => "float", DType.F16 => "float16", DType.BF16 => "bfloat16", DType.F64 => "double",
        DType.I64 => "int64", DType.I32 => "int32", DType.I8 => "int8", DType.U8 => "uint8", DType.Bool => "bool",
        _ => t.ToString().ToLowerInvariant(),
    };

    // Which type constraint of the op each input/output binds (the operator schema's names, as the doc lists them).
    // Ops not listed bind T to their first input. Inputs with a fixed type in the schema (shape, axes) are not checked.
    private static IEnumerable<(string Constraint, DType Type)> Constraints(Node n)
    {
        DType In(int i) => n.Inputs[i]!.Type;
        DType Out(int i) => n.Outputs[i].Type;
        switch (n.OpType)
        {
            case "Cast": yield return ("T1", In(0)); yield return ("T2", Out(0)); break;
            case "Gather" or "GatherElements" or "ScatterElements" or "SoftmaxCrossEntropyLoss": yield return ("T", In(0)); yield return ("Tind", In(1)); break;
            case "Where": yield return ("T", In(1)); break;
            case "ConstantOfShape": yield return ("T2", Out(0)); break;
            case "Trilu" or "Range" or "Equal" or "Less" or "Greater" or "Not" or "And" or "Or":
                yield return ("T", In(0)); break;
            case "Shape": yield return ("T", In(0)); break;
            default: yield return ("T", n.Inputs.First(i => i is not null)!.Type); break;
        }
    }

    private static IEnumerable<(string Graph, IrGraph G)> Graphs()
    {
        var c = TinyModels.Config();
        var w = TinyLlama.Create(c, 21);
        var lora = new LoraConfig { Rank = 2, Alpha = 4, Dropout = 0.1, Targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] };
        foreach (var ck in new[] { false, true })
        {
            var o = new ArtifactOptions { GradientCheckpointing = ck };
            var full = TrainingArtifacts.Build(c, w, TrainingMode.Full, options: o);
            var lo = TrainingArtifacts.Build(c, w, TrainingMode.Lora, lora, o);
            var tag = ck ? " (checkpointed)" : "";
            yield return ("training full" + tag, full.TrainGraph);
            yield return ("training lora" + tag, lo.TrainGraph);
            if (!ck) { yield return ("eval full", full.EvalGraph); yield return ("eval lora", lo.EvalGraph); }
        }
        var tied = TinyModels.Config(tied: true);
        var tw = TinyLlama.Create(tied, 22);
        // fp16 weights, cast to fp32 where read: fp32 activations.
        var f16Storage = new Precision(DType.F16, DType.F32);
        yield return ("decoder fp32", new DecodingGraphBuilder(c).Build(w));
        yield return ("decoder fp16", new DecodingGraphBuilder(c, f16Storage).Build(w));
        yield return ("decoder fp16 tied", new DecodingGraphBuilder(tied, f16Storage).Build(tw));
    }

    /// <summary>
    /// Ops with no CUDA kernel in ORT's inference build, accepted and reported. Empty: the training loss used to be
    /// SoftmaxCrossEntropyLoss, whose CUDA kernel ORT registers only in training builds; TrainingArtifacts now
    /// builds it from LogSoftmax/GatherElements/Where/ReduceSum. The test below keeps it that way.
    /// </summary>
    private static readonly (string Domain, string Op)[] KnownCpuFallbacks = [];

    [Fact]
    public void EveryOpOfExportedGraphsHasACudaKernel()
    {
        var registry = LoadRegistry();
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var checkedCount = 0;
        foreach (var (name, g) in Graphs())
            foreach (var n in g.Nodes)
            {
                var domain = n.Domain == "" ? "ai.onnx" : n.Domain;
                if (KnownCpuFallbacks.Contains((domain, n.OpType))) continue;
                var opset = g.Opsets[n.Domain];
                var rows = registry.Where(r => r.Domain == domain && r.Op == n.OpType && r.Since <= opset && opset <= r.Until).ToList();
                if (rows.Count == 0) { missing.Add($"{domain}.{n.OpType} at opset {opset}: no CUDA kernel version covers it ({name}: {n.Name})"); continue; }
                foreach (var (constraint, type) in Constraints(n))
                {
                    checkedCount++;
                    if (!rows.Any(r => r.Constraint == constraint && r.Types.Contains(TypeName(type))))
                        missing.Add($"{domain}.{n.OpType} opset {opset} {constraint}={TypeName(type)} ({name}: {n.Name})");
                }
            }
        // Keep one example node per missing combination so the message stays readable.
        var report = missing.GroupBy(m => m[..m.IndexOf(" (", StringComparison.Ordinal)]).Select(grp => grp.First());
        Assert.True(missing.Count == 0, "not in ORT's CUDA kernel registry (cuda_kernels.tsv):\n" + string.Join("\n", report));
        Assert.True(checkedCount > 100);
    }

    [Fact]
    public void KnownCpuFallbacksAreStillUsedAndStillMissing()
    {
        // Each accepted gap must be real (absent from the registry) and still used, so the list cannot go stale.
        var registry = LoadRegistry();
        var used = Graphs().SelectMany(g => g.G.Nodes).Select(n => (n.Domain == "" ? "ai.onnx" : n.Domain, n.OpType)).ToHashSet();
        foreach (var (domain, op) in KnownCpuFallbacks)
        {
            Assert.DoesNotContain(registry, r => r.Domain == domain && r.Op == op);
            Assert.Contains((domain, op), used);
        }
        // SoftmaxCrossEntropyLoss has no CUDA kernel in the inference build: no exported graph may use it.
        Assert.DoesNotContain(registry, r => r.Op == "SoftmaxCrossEntropyLoss");
        Assert.DoesNotContain(("ai.onnx", "SoftmaxCrossEntropyLoss"), used);
        // And the check can fail: the registry has no string Gather on CUDA.
        Assert.DoesNotContain(registry, r => r is { Op: "Gather", Constraint: "T" } && r.Types.Contains("string"));
    }
}
