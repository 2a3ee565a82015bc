using System.Diagnostics;
using CommandLine;
using Med42.Ort.Cli.Options;
using Med42.Ort.Llama.Graphs;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Runtime;

namespace Med42.Ort.Cli.Commands;

[Verb("generate", HelpText = "Generate text, streamed to stdout: --max-new-tokens after the prompt, or llama2.c's --steps (positions from 0, prompt included).")]
internal sealed class GenerateCommand : RunOptionsBase, ICommand
{
    [Option("model", HelpText = "Checkpoint (HF folder, llama2.c .bin, .gguf). Omitted: a tiny random model the project builds.")]
    public string? Model { get; set; }

    [Option("tokenizer", HelpText = "tokenizer.model, tokenizer.json or llama2.c tokenizer .bin (found beside the model when omitted).")]
    public string? Tokenizer { get; set; }

    [Option("prompt", Default = "", HelpText = "Prompt text.")]
    public string Prompt { get; set; } = "";

    [Option("steps", Default = 256, HelpText = "llama2.c's -n: total positions, prompt included (ignored when --max-new-tokens is given).")]
    public int Steps { get; set; } = 256;

    [Option("max-new-tokens", HelpText = "Tokens to generate after the prompt (HF generate's max_new_tokens); replaces --steps.")]
    public int? MaxNewTokens { get; set; }

    [Option("temperature", Default = 1.0f, HelpText = "0 = greedy.")]
    public float Temperature { get; set; } = 1.0f;

    [Option("top-p", Default = 0.9f, HelpText = "Nucleus sampling threshold (1 = off).")]
    public float TopP { get; set; } = 0.9f;

    [Option("top-k", Default = 0, HelpText = "Top-k cut (0 = off).")]
    public int TopK { get; set; }

    [Option("seed", Default = 42UL, HelpText = "Sampling seed.")]
    public ulong Seed { get; set; } = 42;

    [Option("attention", HelpText = "auto (default), gqa (ONNX Runtime's fused GroupQueryAttention: fastest on CPU, fp32) or plain (standard ops).")]
    public AttentionChoice Attention { get; set; } = AttentionChoice.Auto;

    [Option("kernels", HelpText = "onnx (default: plain ops) or native (ai.med42 RMSNorm/rotary custom ops from native/).")]
    public LlamaKernels Kernels { get; set; } = LlamaKernels.Onnx;

    public int Run(CancellationToken cancellationToken)
    {
        using var model = Model is null ? EmbeddedDemo.Create() : LoadedModel.Open(Model, Tokenizer);
        // The native kernels replace the plain graph's RMSNorm/rotary; the fused GQA decoder has its own.
        var attention = Kernels == LlamaKernels.Native ? AttentionKind.Plain : Attention.ToAttentionKind(model.Config, Device);
        using var decoder = ModelLoader.CreateDecoder(model.Config, model.Weights, Session(), attention: attention, kernels: Kernels);
        var tokens = model.Tokenizer.Encode(Prompt, addBos: true);
        var steps = PositionSteps(tokens.Count, model.Config.MaxPositionEmbeddings);
        var stdout = Console.OpenStandardOutput();
        var watch = Stopwatch.StartNew();
        var options = new GenerationOptions
        {
            Steps = steps,
            Sampling = new SamplingOptions { Temperature = Temperature, TopP = TopP, TopK = TopK, Seed = Seed },
            StopIds = new HashSet<int> { model.Tokenizer.BosId, model.Tokenizer.EosId },
        };
        var result = new Generator(decoder).Generate([tokens], options, (_, prev, id) =>
        {
            stdout.Write(model.Tokenizer.DecodePiece(prev, id));
            stdout.Flush();
        }, cancellationToken);
        stdout.Write("\n"u8);
        stdout.Flush();
        var generated = result[0].Count - 1;
        Console.Error.WriteLine($"achieved tok/s: {generated / Math.Max(watch.Elapsed.TotalSeconds, 1e-9):F1} ({generated} positions in {watch.Elapsed.TotalSeconds:F2} s)");
        return 0;
    }

    /// <summary>
    /// The Generator's step count (positions from 0, a row ends with at most steps + 1 tokens, BOS included): --steps
    /// as given, or for --max-new-tokens N after a prompt of P tokens (BOS included) P − 1 + N.
    /// </summary>
    internal int PositionSteps(int promptTokens, int contextLength)
    {
        if (MaxNewTokens is not { } n) return Steps;
        if (n < 1) throw new Core.Errors.Med42Exception($"--max-new-tokens must be ≥ 1, got {n}");
        var steps = promptTokens - 1 + n;
        if (steps > contextLength)
            throw new Core.Errors.Med42Exception($"--max-new-tokens {n}: the prompt ({promptTokens} tokens) plus {n} exceeds the model's context length {contextLength}");
        return steps;
    }
}
