// tokenizer.json written from a SentencePiece model and read back gives the SentencePiece ids (the
// exported folders' tokenizer must encode as the model was trained); the files have the fields HF /
// ORT GenAI read; bad JSON is located.
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Tokenizers;

public class HfTokenizerJsonTests
{
    [SkippableTheory]
    [InlineData(ReferenceData.Tok512Model)]
    [InlineData(ReferenceData.Llama2Model)]
    public void WrittenJson_EncodesLikeSentencePiece(string relative)
    {
        var sp = SentencePieceTokenizer.Load(SharedData.Path(relative));
        using var dir = new TempDir();
        HfTokenizerJson.Write(sp.Model, dir.Path);
        var hf = HfTokenizerJson.Load(dir.Path);
        Assert.Equal((sp.VocabSize, sp.BosId, sp.EosId), (hf.VocabSize, hf.BosId, hf.EosId));
        foreach (var s in ReferenceData.RoundTripStrings())
        {
            Assert.Equal(sp.Encode(s), hf.Encode(s));
            Assert.Equal(sp.Encode(s, addBos: false), hf.Encode(s, addBos: false));
            Assert.Equal(ReferenceData.WithoutExtraSpaces(s, sp.Model.RemoveExtraWhitespaces), hf.Decode(hf.Encode(s)));
        }
    }

    [SkippableFact]
    public void WrittenJson_ReproducesManifestIds()
    {
        using var dir = new TempDir();
        HfTokenizerJson.Write(SentencePieceModel.Load(SharedData.Path(ReferenceData.Llama2Model)), dir.Path);
        var hf = HfTokenizerJson.Load(dir.File("tokenizer.json"));
        foreach (var row in ReferenceData.Llama2) Assert.Equal((int[])row[1], hf.Encode((string)row[0]));
        HfTokenizerJson.Write(SentencePieceModel.Load(SharedData.Path(ReferenceData.Tok512Model)), dir.Path);
        Assert.Equal(ReferenceData.Tok512Ids, HfTokenizerJson.Load(dir.Path).Encode(ReferenceData.Tok512Text));
    }

    [SkippableFact]
    public void WrittenFiles_HaveTheHfLlamaLayout()
    {
        using var dir = new TempDir();
        HfTokenizerJson.Write(SentencePieceModel.Load(SharedData.Path(ReferenceData.Tok512Model)), dir.Path, new HfTokenizerOptions { ModelMaxLength = 512 });
        using var tj = JsonDocument.Parse(File.ReadAllBytes(dir.File("tokenizer.json")));
        var model = tj.RootElement.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.True(model.GetProperty("byte_fallback").GetBoolean());
        Assert.True(model.GetProperty("fuse_unk").GetBoolean());
        Assert.Equal(259, model.GetProperty("vocab").GetProperty("▁t").GetInt32());
        // "▁t" has the highest score (0) of any mergeable piece, so it is the first merge.
        Assert.Equal("▁ t", model.GetProperty("merges")[0].GetString());
        Assert.Equal(JsonValueKind.Null, tj.RootElement.GetProperty("pre_tokenizer").ValueKind);
        // tok512 sets remove_extra_whitespaces, so two regex Replace steps precede Prepend and Replace.
        var normalizers = tj.RootElement.GetProperty("normalizer").GetProperty("normalizers").EnumerateArray().Select(d => d.GetProperty("type").GetString()).ToArray();
        Assert.Equal(new[] { "Replace", "Replace", "Prepend", "Replace" }, normalizers);
        var added = tj.RootElement.GetProperty("added_tokens").EnumerateArray().Select(a => a.GetProperty("content").GetString()).ToArray();
        Assert.Equal(new[] { "<unk>", "<s>", "</s>" }, added);
        var decoders = tj.RootElement.GetProperty("decoder").GetProperty("decoders").EnumerateArray().Select(d => d.GetProperty("type").GetString()).ToArray();
        Assert.Equal(new[] { "Replace", "ByteFallback", "Fuse", "Strip" }, decoders);
        using var cfg = JsonDocument.Parse(File.ReadAllBytes(dir.File("tokenizer_config.json")));
        Assert.Equal("LlamaTokenizer", cfg.RootElement.GetProperty("tokenizer_class").GetString());
        Assert.True(cfg.RootElement.GetProperty("add_bos_token").GetBoolean());
        Assert.False(cfg.RootElement.GetProperty("add_eos_token").GetBoolean());
        Assert.Equal(512, cfg.RootElement.GetProperty("model_max_length").GetInt32());
        using var map = JsonDocument.Parse(File.ReadAllBytes(dir.File("special_tokens_map.json")));
        Assert.Equal("</s>", map.RootElement.GetProperty("eos_token").GetString());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
    }

    [Fact]
    public void ReadsArrayMerges_AsNewerTokenizersWriteThem()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokenizer.json"), """
            {"model": {"type": "BPE", "byte_fallback": false, "unk_token": "<unk>",
              "vocab": {"<unk>": 0, "a": 1, "b": 2, "ab": 3, "abb": 4},
              "merges": [["a", "b"], "ab b"]}}
            """);
        var tok = HfBpeTokenizer.Load(dir.File("tokenizer.json"));
        Assert.Equal(new[] { 4, 3, 0 }, tok.Encode("abbabz", addBos: false)); // z is unknown, no byte fallback
    }

    [Fact]
    public void InvalidJson_ReportsLineAndByte()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokenizer.json"), "{\n  \"model\": {\n    \"vocab\": {\"a\": 0,}\n  }\n}");
        var ex = Assert.Throws<Med42Exception>(() => HfBpeTokenizer.Load(dir.File("tokenizer.json")));
        Assert.StartsWith($"{dir.File("tokenizer.json")}: line 3, byte ", ex.Message);
        Assert.Contains("invalid JSON", ex.Message);
    }

    [Fact]
    public void StructuralErrors_NameTheJsonPath()
    {
        using var dir = new TempDir();
        var path = dir.File("tokenizer.json");
        File.WriteAllText(path, """{"model": {"type": "BPE", "unk_token": "a", "vocab": {"a": 0}, "merges": ["a b"]}}""");
        var ex = Assert.Throws<Med42Exception>(() => HfBpeTokenizer.Load(path));
        Assert.Equal($"{path}: $.model.merges[0]: merge part 'b' is not in the vocab", ex.Message);
        File.WriteAllText(path, """{"model": {"type": "WordPiece", "vocab": {}}}""");
        Assert.Contains("$.model.type", Assert.Throws<Med42Exception>(() => HfBpeTokenizer.Load(path)).Message);
        File.WriteAllBytes(path, [0x7B, 0xFF, 0xFE, 0x7D]); // not UTF-8
        Assert.StartsWith($"{path}: line 1: invalid UTF-8 at byte 1 ", Assert.Throws<Med42Exception>(() => HfBpeTokenizer.Load(path)).Message);
    }
}
