// stories260K exported as an ONNX Runtime GenAI folder. GenAI's own greedy loop
// (Model, GeneratorParams do_sample=false, Generator) produces token for token what the project's
// InferenceSession path produces, which is llama2.c's published text (b) of MANIFEST §1.1 — for fp32,
// and for fp16 and int4 folders against our session on the same graph. GenAI's tokenizer, reading our
// tokenizer.json, encodes tok512's text like SentencePiece and decodes it back.
using Med42.Ort.Llama.Lora;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Int4;
using Med42.Ort.Tests.Shared;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Med42.Ort.Export.Tests.GenAi;

public class GenAiFolderTests
{
    private const int Steps = 256; // text (b): llama2.c's default -n

    private static string ExportFolder(TempDir dir, GenAiExportOptions options)
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        var folder = dir.File("genai");
        // llama2.c models end a story with BOS, so GenAI stops on it as llama2.c does.
        GenAiFolder.Export(folder, ckpt.Config, ckpt.Weights, TokenizerSource.Find(Stories260K.ModelPath, Stories260K.TokenizerPath, ckpt.Config),
            options with { ExtraStopIds = [ckpt.Config.BosTokenId] });
        return folder;
    }

    private static int[] GenAiGreedy(string folder, int[] prompt, int maxLength)
    {
        using var model = new Model(folder);
        using var p = new GeneratorParams(model);
        p.SetSearchOption("do_sample", false);
        p.SetSearchOption("max_length", maxLength);
        using var generator = new Generator(model, p);
        generator.AppendTokens(prompt);
        while (!generator.IsDone()) generator.GenerateNextToken();
        return generator.GetSequence(0).ToArray();
    }

    private static List<int> OwnGreedy(GenAiExportOptions options)
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        using var session = Stories260K.Session(ckpt.Config, GenAiFolder.BuildGraph(ckpt.Config, ckpt.Weights, options));
        return Stories260K.Greedy(session, [1], Steps);
    }

    [SkippableFact]
    public void Fp32FolderGreedyEqualsOwnSessionAndLlama2cTextB()
    {
        using var dir = new TempDir();
        var folder = ExportFolder(dir, new GenAiExportOptions());
        foreach (var f in new[] { "model.onnx", "model.onnx.data", "genai_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json" })
            Assert.True(File.Exists(Path.Combine(folder, f)), $"{f} missing from the GenAI folder");
        var own = OwnGreedy(new GenAiExportOptions());
        var tokenizer = TokenizerLoader.Load(Stories260K.TokenizerPath);
        Assert.Equal(Stories260K.TextB(), Stories260K.Print(tokenizer, own));
        var genai = GenAiGreedy(folder, [1], Steps + 1); // max_length counts BOS: 1 + 256 steps
        Assert.Equal(own, genai);
    }

    [SkippableTheory]
    [InlineData("fp16")]
    [InlineData("int4")]
    public void OtherFoldersGreedyEqualsOwnSessionOnTheSameGraph(string kind)
    {
        var options = kind == "fp16" ? new GenAiExportOptions { DType = DType.F16 } : new GenAiExportOptions { Int4 = new Int4Options() };
        using var dir = new TempDir();
        var folder = ExportFolder(dir, options);
        var own = OwnGreedy(options);
        var genai = GenAiGreedy(folder, [1], Steps + 1);
        Assert.Equal(own, genai);
    }

    [SkippableFact]
    public void GenAiTokenizerEncodesLikeSentencePieceAndDecodesBack()
    {
        using var dir = new TempDir();
        var folder = ExportFolder(dir, new GenAiExportOptions());
        var sp = TokenizerLoader.Load(Stories260K.TokenizerPath);
        using var model = new Model(folder);
        using var tokenizer = new Tokenizer(model);
        foreach (var text in new[] { "Once upon a time", "Zoo", Stories260K.TextB(), "naïve café — 😀" })
        {
            using var seqs = tokenizer.Encode(text);
            var ids = seqs[0].ToArray();
            // GenAI 0.18's Tokenizer.Encode adds no BOS although tokenizer_config.json says add_bos_token (callers prepend it).
            Assert.Equal(sp.Encode(text, addBos: false), ids);
            Assert.Equal(text, tokenizer.Decode([1, .. ids])); // decoding the full sequence (BOS first), as a generator does
        }
        // MANIFEST §1.1 (d): "Once upon a time" is [1, 403, 407, 261, 378] in tok512 (BOS first).
        using var once = tokenizer.Encode("Once upon a time");
        Assert.Equal([403, 407, 261, 378], once[0].ToArray());
    }

    [Fact]
    public void MissingTokenizerFilesAreNamedBeforeAnythingIsWritten()
    {
        using var dir = new TempDir();
        var config = Adapters.PeftAdapterTests.Tiny;
        var m = Assert.Throws<Core.Errors.Med42Exception>(() => TokenizerSource.Find(dir.File("model.bin"), null, config)).Message;
        Assert.Contains("missing tokenizer files", m);
        File.WriteAllText(dir.File("tokenizer.json"), "{}");
        Assert.Contains("tokenizer_config.json", Assert.Throws<Core.Errors.Med42Exception>(() => TokenizerSource.Find(dir.File("model.bin"), null, config)).Message);
    }
}
