// Every HF folder writer leaves a complete tokenizer: tokenizer.model, tokenizer.json (which the
// project's own HF reader encodes like the SentencePiece model, and to MANIFEST §2.2's reference ids),
// tokenizer_config.json with the Med42 chat_template, special_tokens_map.json; a PEFT adapter of a
// single-file base records an HF folder PEFT can load.
using System.Text.Json;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Export.Merge;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Core.Tests.Tokenizers;
using Med42.Ort.Tests.Shared;
using Med42.Ort.Llama.Chat;

namespace Med42.Ort.Export.Tests.Hf;

public class HfOutputTests
{
    private const string Stories = "models/stories260K/stories260K.bin";
    private const string TinyGguf = "models/llama-2-tiny-random-gguf/llama-2-tiny-random.gguf";

    /// <summary>The four tokenizer files, the chat template, and ids equal to SentencePiece's on the round-trip strings.</summary>
    internal static void AssertCompleteTokenizer(string folder, string sentencePieceModel)
    {
        foreach (var f in HfTokenizerFolder.Files) Assert.True(File.Exists(Path.Combine(folder, f)), $"{folder} lacks {f}");
        using var cfg = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, HfTokenizerJson.ConfigFile)));
        Assert.Equal(Med42ChatTemplate.Jinja, cfg.RootElement.GetProperty("chat_template").GetString());
        var sp = SentencePieceTokenizer.Load(sentencePieceModel);
        Assert.Equal(File.ReadAllBytes(sentencePieceModel), File.ReadAllBytes(Path.Combine(folder, HfTokenizerFolder.SentencePieceFile)));
        var hf = HfTokenizerJson.Load(folder);
        foreach (var s in ReferenceData.RoundTripStrings()) Assert.Equal(sp.Encode(s), hf.Encode(s));
        Assert.Empty(Directory.GetDirectories(folder, ".tokenizer-derive"));
    }

    [SkippableFact]
    public void Merge_FromLlama2cBase_WritesTheTokenizerFoundBesideIt()
    {
        var model = SharedData.Path(Stories);
        using var dir = new TempDir();
        using var ckpt = LlamaCheckpoint.Open(model);
        var lora = new LoraConfig { Rank = 2, Alpha = 4, Targets = ["q_proj", "v_proj"] };
        using var store = Adapters.PeftAdapterTests.RandomAdapter(ckpt.Config, lora, 3);
        PeftAdapter.Write(dir.File("adapter"), ckpt.Config, lora, store, "stories260K");
        using var adapter = PeftAdapter.Read(dir.File("adapter"), ckpt.Config);
        var tok = SharedData.Path("models/stories260K/tok512.model");
        LoraMerge.Save(dir.File("merged"), ckpt.Config, ckpt.Weights, adapter, DType.F32, tokenizerSource: Path.GetDirectoryName(tok));
        AssertCompleteTokenizer(dir.File("merged"), tok);
        Assert.Equal(ReferenceData.Tok512Ids, HfTokenizerJson.Load(dir.File("merged")).Encode(ReferenceData.Tok512Text));
    }

    [SkippableFact]
    public void HfFolder_FromGguf_WithLlama2Tokenizer_EncodesTheManifestReferences()
    {
        using var dir = new TempDir();
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path(TinyGguf));
        var tok = SharedData.Path(ReferenceData.Llama2Model);
        HfFolderWriter.Save(dir.File("hf"), ckpt.Config, ckpt.Weights, DType.F16, tokenizerSource: tok, chatTemplate: Med42ChatTemplate.Jinja);
        AssertCompleteTokenizer(dir.File("hf"), tok);
        var hf = HfTokenizerJson.Load(dir.File("hf"));
        foreach (var row in ReferenceData.Llama2) Assert.Equal((int[])row[1], hf.Encode((string)row[0]));
        using var reopened = LlamaCheckpoint.Open(dir.File("hf")); // the folder is a loadable checkpoint
        Assert.Equal(ckpt.Config.VocabSize, reopened.Config.VocabSize);
    }

    [SkippableFact]
    public void SourceTokenizerConfig_KeepsItsOwnFiles_AndGainsTheChatTemplate()
    {
        using var dir = new TempDir();
        var src = dir.File("src");
        Directory.CreateDirectory(src);
        File.Copy(SharedData.Path("models/stories260K/tok512.model"), Path.Combine(src, "tokenizer.model"));
        File.WriteAllText(Path.Combine(src, HfTokenizerJson.ConfigFile), """{"tokenizer_class": "LlamaTokenizer", "model_max_length": 77}""");
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path(Stories));
        HfFolderWriter.Save(dir.File("hf"), ckpt.Config, ckpt.Weights, DType.F32, tokenizerSource: src, chatTemplate: Med42ChatTemplate.Jinja);
        using var cfg = JsonDocument.Parse(File.ReadAllBytes(dir.File("hf/tokenizer_config.json")));
        Assert.Equal(77, cfg.RootElement.GetProperty("model_max_length").GetInt32()); // the source's file, not a derived one
        Assert.Equal(Med42ChatTemplate.Jinja, cfg.RootElement.GetProperty("chat_template").GetString());
        Assert.True(File.Exists(dir.File("hf/tokenizer.json")));
    }

    [SkippableFact]
    public void PeftBase_SingleFileBase_BecomesAnHfFolder_FoldersAndNamesStayAsGiven()
    {
        using var dir = new TempDir();
        var model = SharedData.Path(Stories);
        using var ckpt = LlamaCheckpoint.Open(model);
        var baseFolder = dir.File("run/base_model");
        var name = PeftBaseModel.Resolve(model, baseFolder, ckpt.Config, ckpt.Weights, Path.GetDirectoryName(model), Med42ChatTemplate.Jinja, overwrite: false);
        Assert.Equal(Path.GetFullPath(baseFolder), name);
        Assert.True(Path.IsPathRooted(name));
        using (var hf = LlamaCheckpoint.Open(name)) Assert.Equal(CheckpointFormat.HuggingFace, hf.Format);
        AssertCompleteTokenizer(name, SharedData.Path("models/stories260K/tok512.model"));
        // An HF folder or a hub id is what PEFT already loads: recorded as the user gave it, nothing written.
        Assert.Equal(name, PeftBaseModel.Resolve(name, dir.File("unused"), ckpt.Config, ckpt.Weights, null, null, false));
        Assert.Equal("meta-llama/Llama-2-7b-hf", PeftBaseModel.Resolve("meta-llama/Llama-2-7b-hf", dir.File("unused"), ckpt.Config, ckpt.Weights, null, null, false));
        Assert.False(Directory.Exists(dir.File("unused")));
    }
}
