// TokenizerLoader: picks the format from the file name, prefers tokenizer.model in a folder, and
// lists what it looked for when nothing is there.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Tokenizers;

public class TokenizerLoaderTests
{
    [SkippableFact]
    public void Files_LoadByFormat()
    {
        Assert.IsType<SentencePieceTokenizer>(TokenizerLoader.Load(SharedData.Path(ReferenceData.Tok512Model)));
        Assert.IsType<Llama2cTokenizer>(TokenizerLoader.Load(SharedData.Path(ReferenceData.Tok512Bin), llama2cVocabSize: 512));
    }

    [SkippableFact]
    public void Folder_PrefersModel_ThenJson_ThenBin()
    {
        using var dir = new TempDir();
        File.Copy(SharedData.Path(ReferenceData.Tok512Bin), dir.File("tokenizer.bin"));
        Assert.IsType<Llama2cTokenizer>(TokenizerLoader.Load(dir.Path));
        HfTokenizerJson.Write(SentencePieceModel.Load(SharedData.Path(ReferenceData.Tok512Model)), dir.Path);
        Assert.IsType<HfBpeTokenizer>(TokenizerLoader.Load(dir.Path));
        File.Copy(SharedData.Path(ReferenceData.Tok512Model), dir.File("tokenizer.model"));
        var tok = TokenizerLoader.Load(dir.Path);
        Assert.IsType<SentencePieceTokenizer>(tok);
        Assert.Equal(ReferenceData.Tok512Ids, tok.Encode(ReferenceData.Tok512Text));
    }

    [Fact]
    public void EmptyFolder_ListsCandidates()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<Med42Exception>(() => TokenizerLoader.Load(dir.Path));
        Assert.Equal($"{dir.Path}: no tokenizer in this folder (looked for tokenizer.model, tokenizer.json, tokenizer.bin)", ex.Message);
        Assert.Contains("not found", Assert.Throws<Med42Exception>(() => TokenizerLoader.Load(dir.File("missing.model"))).Message);
        File.WriteAllText(dir.File("vocab.txt"), "x");
        Assert.Contains("unknown tokenizer format", Assert.Throws<Med42Exception>(() => TokenizerLoader.Load(dir.File("vocab.txt"))).Message);
    }
}
