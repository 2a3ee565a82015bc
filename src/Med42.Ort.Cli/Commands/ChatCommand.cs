// `med42 chat`: an interactive loop with the Med42 prompt template
//   "\n<|system|>: {system}\n<|prompter|>:{prompt}\n<|assistant|>:\n"
// streaming tokens through ONNX Runtime GenAI when the folder has genai_config.json, else through the
// project's own runtime (any checkpoint). Greedy unless --temperature is given. Wiring only.
using System.Text;
using CommandLine;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Runtime;
using OgaModel = Microsoft.ML.OnnxRuntimeGenAI.Model;
using OgaTokenizer = Microsoft.ML.OnnxRuntimeGenAI.Tokenizer;
using OgaParams = Microsoft.ML.OnnxRuntimeGenAI.GeneratorParams;
using OgaGenerator = Microsoft.ML.OnnxRuntimeGenAI.Generator;

namespace Med42.Ort.Cli.Commands;

[Verb("chat", HelpText = "Chat with a model using the Med42 template (GenAI when the folder has genai_config.json).")]
internal sealed class ChatCommand : RunOptionsBase, ICommand
{
    [Option("model", Required = true, HelpText = "GenAI folder or any checkpoint.")]
    public string Model { get; set; } = "";

    [Option("tokenizer", HelpText = "Tokenizer for non-GenAI checkpoints (default: beside the model).")]
    public string? Tokenizer { get; set; }

    [Option("system", Default = "You are a helpful medical assistant.", HelpText = "System message.")]
    public string System { get; set; } = "";

    [Option("adapter", HelpText = "GenAI folders: an .onnx_adapter to activate (a path, or a name N for N.onnx_adapter in the folder; med42 export --format onnx-adapter writes 'adapter').")]
    public string? Adapter { get; set; }

    [Option("max-new-tokens", Default = 256, HelpText = "Tokens to generate per answer.")]
    public int MaxNewTokens { get; set; } = 256;

    public static string Template(string system, string prompt) => $"\n<|system|>: {system}\n<|prompter|>:{prompt}\n<|assistant|>:\n";

    public int Run(CancellationToken cancellationToken)
    {
        var genai = Directory.Exists(Model) && File.Exists(Path.Combine(Model, GenAiConfig.FileName));
        Console.Error.WriteLine($"{(genai ? "ONNX Runtime GenAI" : "Med42.Ort runtime")}: {Model}. Empty line to quit.");
        if (genai) return RunGenAi(cancellationToken);
        if (Adapter is not null) throw new Core.Errors.Med42Exception("--adapter: only GenAI folders take an .onnx_adapter (export with --format onnx-adapter)");
        using var model = LoadedModel.Open(Model, Tokenizer);
        using var decoder = ModelLoader.CreateDecoder(model.Config, model.Weights, Session());
        var generator = new Generator(decoder);
        while (!cancellationToken.IsCancellationRequested && Console.ReadLine() is { Length: > 0 } line)
        {
            var ids = model.Tokenizer.Encode(Template(System, line));
            var bytes = new List<byte>();
            generator.Generate([ids], new GenerationOptions
            {
                Steps = Math.Min(ids.Count + MaxNewTokens, model.Config.MaxPositionEmbeddings),
                StopIds = new HashSet<int> { model.Tokenizer.EosId },
            }, (_, prev, id) => Console.Write(Encoding.UTF8.GetString(model.Tokenizer.DecodePiece(prev, id))), cancellationToken);
            Console.WriteLine();
        }
        return 0;
    }

    private int RunGenAi(CancellationToken cancellationToken)
    {
        using var model = new OgaModel(Model);
        using var tokenizer = new OgaTokenizer(model);
        using var config = Core.Checkpoints.JsonFile.Read(Path.Combine(Model, GenAiConfig.FileName));
        var bos = config.RootElement.GetProperty("model").GetProperty("bos_token_id").GetInt32();
        using var adapters = Adapter is null ? null : new Microsoft.ML.OnnxRuntimeGenAI.Adapters(model);
        if (Adapter is not null)
        {
            var path = File.Exists(Adapter) ? Adapter : Path.Combine(Model, Adapter + Export.Adapters.OnnxAdapterFile.Extension);
            if (!File.Exists(path)) throw new Core.Errors.Med42Exception($"--adapter: {path}: no such .onnx_adapter file");
            adapters!.LoadAdapter(path, "active");
        }
        while (!cancellationToken.IsCancellationRequested && Console.ReadLine() is { Length: > 0 } line)
        {
            using var sequences = tokenizer.Encode(Template(System, line));
            // GenAI 0.18's Encode adds no BOS although tokenizer_config.json asks for it: prepend it.
            int[] prompt = [bos, .. sequences[0].ToArray()];
            using var p = new OgaParams(model);
            p.SetSearchOption("max_length", prompt.Length + MaxNewTokens);
            using var generator = new OgaGenerator(model, p);
            if (adapters is not null) generator.SetActiveAdapter(adapters, "active");
            using var stream = tokenizer.CreateStream();
            generator.AppendTokens(prompt);
            while (!generator.IsDone() && !cancellationToken.IsCancellationRequested)
            {
                generator.GenerateNextToken();
                var seq = generator.GetSequence(0);
                Console.Write(stream.Decode(seq[^1]));
            }
            Console.WriteLine();
        }
        return 0;
    }
}
