// tokenizer.json strictness: a valid Llama-layout file (written by HfTokenizerJson from a hand-built
// SentencePiece model) with one field changed is refused with that field's JSON path — never a crash
// and never a silent default — for the fields the hardening issue found accepted or crashing.
using System.Text.Json.Nodes;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Tokenizers;

public class HfBpeSchemaTests
{
    private static Med42Exception Refused(Action<JsonObject> change, out string path)
    {
        using var dir = new TempDir();
        HfTokenizerJson.Write(SentencePieceModel.Parse(SentencePieceProto.Build(), "seed"), dir.Path);
        path = dir.File(HfTokenizerJson.TokenizerFile);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        HfBpeTokenizer.Load(path); // the unchanged file loads
        change(root);
        File.WriteAllText(path, root.ToJsonString());
        var p = path;
        return Assert.Throws<Med42Exception>(() => HfBpeTokenizer.Load(p));
    }

    [Fact]
    public void ModelTypeNotAString()
    {
        var e = Refused(r => r["model"]!["type"] = 3, out var path);
        Assert.Equal($"{path}: $.model.type: expected String, found Number", e.Message);
    }

    [Theory]
    [InlineData("added_tokens", """{"id": 0}""", "$.added_tokens: expected Array, found Object")]
    [InlineData("added_tokens", """[{"id": "zero", "content": "<unk>"}]""", "$.added_tokens[0].id: expected Number, found String")]
    [InlineData("added_tokens", """[{"id": 1e12, "content": "<unk>"}]""", "$.added_tokens[0].id: token id 1e12 is not a non-negative integer")]
    [InlineData("added_tokens", """[{"id": 0, "content": "<unk>", "special": "yes"}]""", "$.added_tokens[0].special: expected Boolean, found String")]
    [InlineData("decoder", "\"ByteFallback\"", "$.decoder: expected Object, found String")]
    [InlineData("decoder", """{"type": "ByteLevel"}""", "$.decoder.type: decoder 'ByteLevel' is not supported (Sequence, Replace, ByteFallback, Fuse, Strip are)")]
    [InlineData("decoder", """{"type": "Sequence", "decoders": [{"type": "Strip", "content": " ", "start": "1", "stop": 0}]}""", "$.decoder.decoders[0].start: expected Number, found String")]
    public void WrongTypedTopLevelFields(string key, string json, string expected)
    {
        var e = Refused(r => r[key] = JsonNode.Parse(json), out var path);
        Assert.Equal($"{path}: {expected}", e.Message);
    }

    [Theory]
    [InlineData("byte_fallback", "\"true\"", "$.model.byte_fallback: expected Boolean, found String")]
    [InlineData("byte_fallback", "1", "$.model.byte_fallback: expected Boolean, found Number")]
    [InlineData("unk_token", "0", "$.model.unk_token: expected String, found Number")]
    [InlineData("unk_token", "\"<nope>\"", "$.model.unk_token: '<nope>' is not in the vocab")]
    [InlineData("dropout", "0.1", "$.model.dropout: BPE dropout 0.1 is not supported (encoding must be deterministic)")]
    [InlineData("continuing_subword_prefix", "\"##\"", "$.model.continuing_subword_prefix: '##' is not supported (the Llama layout has none)")]
    public void WrongTypedModelFields(string key, string json, string expected)
    {
        var e = Refused(r => r["model"]![key] = JsonNode.Parse(json), out var path);
        Assert.Equal($"{path}: {expected}", e.Message);
    }

    [Fact]
    public void NoUnknownTokenWithoutFullByteFallbackIsRefused()
    {
        var e = Refused(r =>
        {
            r["model"]!["unk_token"] = null;
            r["model"]!["byte_fallback"] = false;
        }, out var path);
        Assert.StartsWith($"{path}: $.model.unk_token: missing", e.Message);
    }
}
