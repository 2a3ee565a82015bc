// A LoRA adapter on stories260K written as an .onnx_adapter
// (FlatBuffers "TORT", OnnxAdapterFile) for a base decoder with LoRA inputs (LoraInputLinear) gives,
// through ONNX Runtime's own LoRA API (OrtLoraAdapter + RunOptions.AddActiveLoraAdapter), the logits
// of base + adapter applied on the fly by LoraLinear and of the merged folder; with no adapter active
// the zero-sized defaults give the base model. Mismatched names are refused naming the parameter.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.Adapters;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Export.Merge;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Blocks;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;
using Microsoft.ML.OnnxRuntime;

namespace Med42.Ort.Export.Tests.Adapters;

public class OnnxAdapterTests
{
    private static readonly int[] Tokens = [1, 403, 407, 261, 378, 11, 260, 300, 42];
    private static readonly LoraConfig AllTargets = new() { Rank = 4, Alpha = 8, Targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] };

    internal sealed class Union(ITensorStore a, ITensorStore b) : ITensorStore
    {
        public string Source => a.Source;
        public IReadOnlyList<TensorInfo> Tensors => [.. a.Tensors, .. b.Tensors];
        public bool Contains(string name) => a.Contains(name) || b.Contains(name);
        public TensorInfo Info(string name) => a.Contains(name) ? a.Info(name) : b.Info(name);
        public void ReadBytes(string name, Span<byte> dest) { if (a.Contains(name)) a.ReadBytes(name, dest); else b.ReadBytes(name, dest); }
        public void Dispose() { }
    }

    /// <summary>Logits [1,T,V] as float64 for one prompt (no past), optionally with an ORT LoRA adapter active.</summary>
    internal static double[] Logits(LlamaConfig c, IrGraph graph, DType type, byte[]? adapter = null)
    {
        using var session = new SessionSettings().CreateSession(OnnxExport.ToBytes(graph));
        var n = Tokens.Length;
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(Tokens.Select(t => (long)t).ToArray(), [1, n]),
            OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, n).Select(i => (long)i).ToArray(), [1, n]),
            OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, n).ToArray(), [1, n]),
        };
        var names = new List<string> { "input_ids", "position_ids", "attention_mask" };
        for (var i = 0; i < c.NumHiddenLayers; i++)
            foreach (var name in new[] { LlamaGraph.PastKey(i), LlamaGraph.PastValue(i) })
            {
                names.Add(name);
                values.Add(type == DType.F64
                    ? OrtValue.CreateTensorValueFromMemory(Array.Empty<double>(), [1, c.NumKeyValueHeads, 0, c.HeadDim])
                    : OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, c.NumKeyValueHeads, 0, c.HeadDim]));
            }
        using var lora = adapter is null ? null : OrtLoraAdapter.Create(adapter, null);
        using var run = new RunOptions();
        if (lora is not null) run.AddActiveLoraAdapter(lora);
        try
        {
            using var outputs = session.Run(run, names, values, ["logits"]);
            return type == DType.F64 ? outputs[0].GetTensorDataAsSpan<double>().ToArray() : [.. outputs[0].GetTensorDataAsSpan<float>().ToArray().Select(f => (double)f)];
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static IrGraph Plain(LlamaConfig c, ITensorStore w, DType type, ILinearFactory? linear = null) =>
        new DecodingGraphBuilder(c, Precision.Of(type), linear: linear).Build(w);

    private static IrGraph WithLoraInputs(LlamaConfig c, ITensorStore w, DType type, IReadOnlyList<string> targets) =>
        GenAiFolder.BuildGraph(c, w, new GenAiExportOptions { DType = type, LoraInputTargets = targets });

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= tol, $"{what}: max |Δlogit| {worst:E3} > {tol:E1}");
    }

    [SkippableTheory]
    [InlineData("F32")]
    [InlineData("F64")]
    public void OrtLoraApiEqualsOnTheFlyAndMerged(string typeName)
    {
        var type = Enum.Parse<DType>(typeName);
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        var c = ckpt.Config;
        using var adapter = PeftAdapterTests.RandomAdapter(c, AllTargets, 11);
        var file = OnnxAdapterFile.ToBytes(OnnxAdapter.FromPeft(c, AllTargets, adapter, type));
        Assert.Equal("TORT"u8.ToArray(), file[4..8]); // FlatBuffers: root offset, then the 4-byte file identifier

        var viaOrt = Logits(c, WithLoraInputs(c, ckpt.Weights, type, AllTargets.Targets), type, file);
        var onTheFly = Logits(c, Plain(c, new Union(ckpt.Weights, adapter), type, new LoraLinear(c, AllTargets, useDropout: false)), type);
        // Same weights and the same MatMul chain, only α/r folded into B (exact: α/r = 2 is a power of two), so only
        // kernel accumulation order differs: float32 rounding over ≤ 172-term dot products and 5 layers stays far below 1e-5.
        AssertClose(onTheFly, viaOrt, 1e-5, $"{type} ORT LoRA vs on the fly");

        using var merged = new MergedTensorStore(c, ckpt.Weights, AllTargets, adapter);
        var mergedLogits = Logits(c, Plain(c, merged, type), type);
        // float64: 1e-5, because W' is stored as fp32 (as a merged folder stores it): one float32 rounding per weight
        // (relative 6e-8) that the float64 on-the-fly path does not have, through 5 layers onto logits of magnitude ≲ 10.
        // float32: W + (α/r)·B·A rounded once vs x·Wᵀ + (x·Aᵀ)·Bᵀ·(α/r) in fp32 kernels round differently (observed 3.8e-5), hence 1e-4 here.
        AssertClose(onTheFly, mergedLogits, type == DType.F64 ? 1e-5 : 1e-4, $"{type} merged vs on the fly");

        // No adapter active: the zero-sized default initializers make it the base model.
        var baseLogits = Logits(c, Plain(c, ckpt.Weights, type), type);
        var inactive = Logits(c, WithLoraInputs(c, ckpt.Weights, type, AllTargets.Targets), type);
        AssertClose(baseLogits, inactive, type == DType.F64 ? 1e-12 : 1e-6, $"{type} no adapter vs base"); // adds exact zeros; fp32 kernels may reorder
        Assert.True(baseLogits.Zip(viaOrt).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the adapter changes the logits");
    }

    [Fact]
    public void MissingNamesAreNamedWithTheModelsLoraInputs()
    {
        var c = PeftAdapterTests.Tiny;
        var lora = new LoraConfig { Rank = 2, Alpha = 4, Targets = ["q_proj", "v_proj"] };
        using var adapter = PeftAdapterTests.RandomAdapter(c, lora, 1);
        var weights = TinyLlama.Create(c, seed: 3);
        var parameters = OnnxAdapter.FromPeft(c, lora, adapter, DType.F32);

        var qOnly = OnnxAdapterExport.InputsOf(WithLoraInputs(c, weights, DType.F32, ["q_proj"]));
        var m = Assert.Throws<Med42Exception>(() => OnnxAdapterFile.ValidateAgainst("a.onnx_adapter", parameters, "model.onnx", qOnly)).Message;
        Assert.Contains("parameter 'base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight'", m);
        Assert.Contains("4 of 8 parameters are missing", m);
        Assert.Contains("'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'", m); // what the model does have

        var none = OnnxAdapterExport.InputsOf(Plain(c, weights, DType.F32));
        Assert.Contains("has no LoRA inputs", Assert.Throws<Med42Exception>(() => OnnxAdapterFile.ValidateAgainst("a", parameters, "model.onnx", none)).Message);

        var fp16 = OnnxAdapterExport.InputsOf(WithLoraInputs(c, weights, DType.F16, lora.Targets));
        Assert.Contains("is F32 but model.onnx's input is F16", Assert.Throws<Med42Exception>(() => OnnxAdapterFile.ValidateAgainst("a", parameters, "model.onnx", fp16)).Message);

        var matching = OnnxAdapterExport.InputsOf(WithLoraInputs(c, weights, DType.F32, lora.Targets));
        OnnxAdapterFile.ValidateAgainst("a", parameters, "model.onnx", matching);
        var wrongRank = new List<OnnxAdapterParameter>(parameters) { [0] = parameters[0] with { Dims = [2, 8], Data = new byte[64] } };
        Assert.Contains("does not fit", Assert.Throws<Med42Exception>(() => OnnxAdapterFile.ValidateAgainst("a", wrongRank, "model.onnx", matching)).Message);
    }

    [SkippableFact]
    public void ExportWritesFolderWhoseAdapterOrtLoadsAndGenAiRuns()
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        var c = ckpt.Config;
        using var dir = new TempDir();
        using var store = PeftAdapterTests.RandomAdapter(c, AllTargets, 11);
        PeftAdapter.Write(dir.File("peft"), c, AllTargets, store, "stories260K");
        using var adapter = PeftAdapter.Read(dir.File("peft"), c);
        var tokenizer = TokenizerSource.Find(Stories260K.ModelPath, Stories260K.TokenizerPath, c);
        var folder = dir.File("out");
        OnnxAdapterExport.Export(folder, c, ckpt.Weights, adapter, tokenizer, new GenAiExportOptions { ExtraStopIds = [c.BosTokenId] });
        var adapterPath = Path.Combine(folder, OnnxAdapterExport.AdapterFile);
        Assert.True(File.Exists(adapterPath));
        // The model file's inputs (read back by ORT) accept the adapter's names.
        OnnxAdapterFile.ValidateAgainst(adapterPath, OnnxAdapter.FromPeft(c, AllTargets, store, DType.F32), "model.onnx", OnnxAdapter.ReadInputs(Path.Combine(folder, GenAiFolder.ModelFile)));
        // Refused without --force, nothing replaced.
        Assert.Throws<Med42Exception>(() => OnnxAdapterExport.Export(folder, c, ckpt.Weights, adapter, tokenizer, new GenAiExportOptions()));

        // GenAI's adapter API on the same folder: greedy tokens equal our session on the merged weights.
        using var merged = new MergedTensorStore(c, ckpt.Weights, AllTargets, store);
        using var session = Stories260K.Session(c, Plain(c, merged, DType.F32));
        var own = Stories260K.Greedy(session, [1], 64);
        using var model = new Microsoft.ML.OnnxRuntimeGenAI.Model(folder);
        using var adapters = new Microsoft.ML.OnnxRuntimeGenAI.Adapters(model);
        adapters.LoadAdapter(adapterPath, "story");
        using var p = new Microsoft.ML.OnnxRuntimeGenAI.GeneratorParams(model);
        p.SetSearchOption("do_sample", false);
        p.SetSearchOption("max_length", 65);
        using var generator = new Microsoft.ML.OnnxRuntimeGenAI.Generator(model, p);
        generator.SetActiveAdapter(adapters, "story");
        generator.AppendTokens([1]);
        while (!generator.IsDone()) generator.GenerateNextToken();
        Assert.Equal(own, generator.GetSequence(0).ToArray());
    }
}
