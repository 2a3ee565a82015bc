using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;

namespace Med42.Ort.Cli.Commands;

[Verb("export-onnx", HelpText = "Export the decoder (KV cache, GenAI input/output names) as an ONNX folder.")]
internal sealed class ExportOnnxCommand : ICommand
{
    [Option("model", Required = true, HelpText = "Source checkpoint.")]
    public string Model { get; set; } = "";

    [Option("out", Required = true, HelpText = "Output folder.")]
    public string Out { get; set; } = "";

    [Option("dtype", HelpText = "fp32 (default) or fp16 (fp16 weights and activations, for GPUs).")]
    public DTypeChoice DType { get; set; } = DTypeChoice.Fp32;

    [Option("external-data", HelpText = "Always write weights to model.onnx.data (automatic above 2 GB).")]
    public bool ExternalData { get; set; }

    public int Run(CancellationToken cancellationToken)
    {
        using var ckpt = LlamaCheckpoint.Open(Model);
        var dtype = DType.ToDType();
        if (dtype == Core.Tensors.DType.BF16) throw new Core.Errors.Med42Exception("--dtype: bf16 decoders are not supported by ONNX Runtime's CPU kernels; use fp32 or fp16");
        var graph = new DecodingGraphBuilder(ckpt.Config, Llama.Precision.Of(dtype)).Build(ckpt.Weights);
        var path = OnnxExport.Save(graph, Out, "model.onnx", new OnnxExportOptions { ExternalDataThreshold = ExternalData ? 1024 : null });
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
