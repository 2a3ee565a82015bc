// `med42 export`: a checkpoint (plus an optional PEFT adapter, merged on the way) to a deployable
// folder — genai (ONNX Runtime GenAI: model.onnx + genai_config.json + tokenizer.json), hf (merged
// safetensors), peft (the adapter re-written in PEFT's layout), onnx-adapter (a GenAI folder whose decoder
// takes LoRA inputs + adapter.onnx_adapter for ONNX Runtime's LoRA API), gguf (llama.cpp: a .gguf file, or a
// folder holding model.gguf; --quant f32, f16, q8_0 or q4_0). Wiring only; the algorithms live in
// Med42.Ort.Export. Every output goes through a temporary folder; a non-empty --out needs --force.
using Med42.Ort.Llama.Lora;
using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Core.Errors;
using Med42.Ort.Export.Adapters;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Core.IO;
using Med42.Ort.Export.Merge;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Llama.Int4;
using Med42.Ort.Llama.Chat;

namespace Med42.Ort.Cli.Commands;

[Verb("export", HelpText = "Export a model (optionally with a LoRA adapter merged) as a GenAI, HF or PEFT folder.")]
internal sealed class ExportCommand : ICommand
{
    [Option("model", Required = true, HelpText = "Base checkpoint (HF folder, llama2.c .bin, .gguf).")]
    public string Model { get; set; } = "";

    [Option("adapter", HelpText = "PEFT adapter folder (adapter_config.json + adapter_model.safetensors) to merge (onnx-adapter: to convert).")]
    public string? Adapter { get; set; }

    [Option("tokenizer", HelpText = "Tokenizer (.model or folder with tokenizer.json); default: found beside the model.")]
    public string? Tokenizer { get; set; }

    [Option("format", Required = true, HelpText = "genai, hf, peft, onnx-adapter or gguf.")]
    public ExportFormat Format { get; set; }

    [Option("out", Required = true, HelpText = "Output folder (must be empty or absent unless --force).")]
    public string Out { get; set; } = "";

    [Option("dtype", HelpText = "fp32 (default) or fp16 (hf also bf16).")]
    public DTypeChoice DType { get; set; } = DTypeChoice.Fp32;

    [Option("int4", HelpText = "genai: quantise the projections to int4 (MatMulNBits).")]
    public bool Int4 { get; set; }

    [Option("block-size", Default = 32, HelpText = "int4 block size: 16, 32, 64 or 128.")]
    public int BlockSize { get; set; } = 32;

    [Option("asymmetric", HelpText = "int4 with zero points.")]
    public bool Asymmetric { get; set; }

    [Option("accuracy-level", Default = 0, HelpText = "MatMulNBits accuracy_level (0..4; 4 = int8 activations).")]
    public int AccuracyLevel { get; set; }

    [Option("int4-head", HelpText = "Also quantise the LM head.")]
    public bool Int4Head { get; set; }

    [Option("attention", HelpText = "plain (default: standard ops) or gqa (com.microsoft GroupQueryAttention, shared KV buffer).")]
    public AttentionKind Attention { get; set; } = AttentionKind.Plain;

    [Option("quant", HelpText = "gguf: f32, f16, q8_0 or q4_0 (default f32; see docs/export.md for which tensors are quantised).")]
    public GgufQuantChoice? Quant { get; set; }

    [Option("force", HelpText = "Replace a non-empty output folder.")]
    public bool Force { get; set; }

    public int Run(CancellationToken cancellationToken)
    {
        var gguf = Format == ExportFormat.Gguf;
        if (Quant is not null && !gguf) throw new Med42Exception($"--quant: only for --format gguf (use --int4 / --dtype for {EnumSpelling.Name(Format)})");
        var quant = (Quant ?? GgufQuantChoice.F32).ToGgufQuant();
        if (gguf) GgufLlamaExport.CheckWritable(Out, Force); // refuse early, before any work
        else OutputFolder.CheckWritable(Out, Force);
        using var ckpt = LlamaCheckpoint.Open(Model);
        var config = ckpt.Config;
        using var adapter = Adapter is null ? null : PeftAdapter.Read(Adapter, config);
        var dtype = DType.ToDType();
        switch (Format)
        {
            case ExportFormat.Genai:
            {
                var tokenizer = TokenizerSource.Find(Model, Tokenizer, config);
                using var merged = adapter is null ? null : new MergedTensorStore(config, ckpt.Weights, adapter.Config, adapter.Tensors);
                GenAiFolder.Export(Out, config, (Core.Tensors.ITensorStore?)merged ?? ckpt.Weights, tokenizer, GenAiOptions(ckpt.Format, config, dtype));
                break;
            }
            case ExportFormat.OnnxAdapter:
            {
                if (adapter is null) throw new Med42Exception("--format onnx-adapter: needs --adapter (the PEFT adapter to convert)");
                var tokenizer = TokenizerSource.Find(Model, Tokenizer, config);
                OnnxAdapterExport.Export(Out, config, ckpt.Weights, adapter, tokenizer, GenAiOptions(ckpt.Format, config, dtype));
                break;
            }
            case ExportFormat.Hf:
                if (adapter is null)
                    HfFolderWriter.Save(Out, config, ckpt.Weights, dtype, tokenizerSource: Tokenizer ?? TokenizerFile(config), overwrite: Force, chatTemplate: Med42ChatTemplate.Jinja);
                else LoraMerge.Save(Out, config, ckpt.Weights, adapter, dtype, Tokenizer ?? TokenizerFile(config), Force);
                break;
            case ExportFormat.Peft:
            {
                if (adapter is null) throw new Med42Exception("--format peft: needs --adapter (the adapter to write in PEFT's layout)");
                // A single-file base is written as an HF folder inside the adapter folder, so PEFT can load it.
                var baseFolder = Path.GetFullPath(Path.Combine(Out, PeftBaseModel.FolderName));
                var baseModel = PeftBaseModel.NeedsHfFolder(Model) ? baseFolder : adapter.BaseModel == "" ? Model : adapter.BaseModel;
                PeftAdapter.Write(Out, config, adapter.Config, adapter.Tensors, baseModel, Force);
                PeftBaseModel.Resolve(Model, baseFolder, config, ckpt.Weights, Tokenizer ?? TokenizerFile(config), Med42ChatTemplate.Jinja, overwrite: true);
                break;
            }
            case ExportFormat.Gguf:
            {
                var vocabulary = GgufVocabulary.Find(Model, Tokenizer, config);
                using var merged = adapter is null ? null : new MergedTensorStore(config, ckpt.Weights, adapter.Config, adapter.Tensors);
                var name = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(Model));
                GgufLlamaExport.Export(Out, config, (Core.Tensors.ITensorStore?)merged ?? ckpt.Weights, vocabulary,
                    new GgufExportOptions { Quant = quant, Name = name, Force = Force }, cancellationToken);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(Format), Format, null);
        }
        Console.WriteLine($"wrote {Out}");
        return 0;
    }

    private GenAiExportOptions GenAiOptions(CheckpointFormat format, Llama.LlamaConfig config, Core.Tensors.DType dtype) => new()
    {
        DType = dtype,
        Attention = Attention,
        Int4 = Int4 ? new Int4Options { BlockSize = BlockSize, Asymmetric = Asymmetric, AccuracyLevel = AccuracyLevel, QuantizeHead = Int4Head }.Validate("--int4") : null,
        // llama2.c models end a story with BOS; GenAI should stop there as llama2.c does.
        ExtraStopIds = format == CheckpointFormat.Llama2c ? [config.BosTokenId] : [],
        Force = Force,
    };

    private string? TokenizerFile(Llama.LlamaConfig config) => ConvertCommand.FindTokenizerFile(Model, config.VocabSize);
}
