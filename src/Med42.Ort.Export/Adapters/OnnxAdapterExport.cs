// `med42 export --format onnx-adapter`: a GenAI folder whose decoder has LoRA inputs (LoraInputLinear,
// for the adapter's target modules, PEFT names) plus adapter.onnx_adapter holding the adapter's tensors
// under the same names. Load it with OrtLoraAdapter + RunOptions.AddActiveLoraAdapter (ONNX Runtime) or
// Adapters.LoadAdapter + Generator.SetActiveAdapter (GenAI). The names are checked against the graph's
// inputs before anything is renamed into place. Test: tests/Med42.Ort.Export.Tests/Adapters/OnnxAdapterTests.cs.
using Med42.Ort.Llama.Lora;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Core.IO;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Llama;

namespace Med42.Ort.Export.Adapters;

public static class OnnxAdapterExport
{
    public const string AdapterFile = "adapter" + OnnxAdapterFile.Extension;

    public static void Export(string outDir, LlamaConfig config, ITensorStore baseWeights, PeftAdapter adapter, TokenizerSource tokenizer, GenAiExportOptions options)
    {
        config.Validate(baseWeights.Source);
        Llama.Checkpoints.LlamaCheckpoint.Validate(config, baseWeights);
        PeftAdapter.Validate(config, adapter.Config, adapter.Tensors, adapter.BaseModel);
        var parameters = OnnxAdapter.FromPeft(config, adapter.Config, adapter.Tensors, options.DType);
        OutputFolder.Write(outDir, options.Force, tmp =>
        {
            var graph = GenAiFolder.WriteInto(tmp, config, baseWeights, tokenizer, options with { LoraInputTargets = adapter.Config.Targets });
            OnnxAdapterFile.ValidateAgainst(AdapterFile, parameters, GenAiFolder.ModelFile, InputsOf(graph));
            OnnxAdapterFile.Write(Path.Combine(tmp, AdapterFile), parameters);
        });
    }

    /// <summary>A graph's inputs as ValidateAgainst sees them.</summary>
    public static List<ModelInput> InputsOf(IrGraph graph) =>
        [.. graph.Inputs.Select(v => new ModelInput(v.Name, v.Type, v.Shape?.Select(d => d.Size).ToArray() ?? []))];
}
