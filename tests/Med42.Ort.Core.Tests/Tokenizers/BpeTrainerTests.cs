// BpeTrainer: deterministic, lossless through tokenizer.json (byte fallback covers unseen text),
// and it compresses its training text.
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Tokenizers;

public class BpeTrainerTests
{
    // A small self-contained corpus so the test needs no shared data.
    private static readonly string[] Corpus = Enumerable.Range(0, 200).Select(i =>
        $"Patient {i} presents with fever and cough. First-line treatment of community-acquired pneumonia is amoxicillin; " +
        $"metformin is a biguanide that lowers hepatic glucose output. Vitamin B{i % 12} deficiency causes anemia.\n").ToArray();

    private static readonly string[] Unseen =
    [
        "", " ", "  two  spaces  ", "Ünïcödé: 漢字, Ελληνικά, emoji 🙂👍🏽, combining e\u0301",
        "tabs\tand\r\nnewlines\n\n", "\u0000nul and \uFFFD replacement", "<s> literal specials </s> <unk> <0x41>",
    ];

    [Fact]
    public void Train_IsDeterministic_AndHasTheSentencePieceLayout()
    {
        var a = BpeTrainer.Train(Corpus, new BpeTrainerOptions { VocabSize = 512 });
        var b = BpeTrainer.Train(Corpus, new BpeTrainerOptions { VocabSize = 512 });
        Assert.Equal(a.Pieces, b.Pieces);
        Assert.True(a.VocabSize <= 512);
        Assert.Equal(new[] { "<unk>", "<s>", "</s>", "<0x00>" }, a.Pieces.Take(4).Select(p => p.Piece));
        Assert.Equal("<0xFF>", a.Pieces[258].Piece);
        Assert.Equal(a.Pieces.Count, a.Pieces.Select(p => p.Piece).Distinct().Count());
        Assert.DoesNotContain(a.Pieces.Skip(259), p => p.Piece.Length > 1 && p.Piece[1..].Contains('▁')); // ▁ only starts a piece
    }

    [Fact]
    public void SavedTokenizer_RoundTripsAnyText_AndCompresses()
    {
        var model = BpeTrainer.Train(Corpus, new BpeTrainerOptions { VocabSize = 600 });
        using var dir = new TempDir();
        HfTokenizerJson.Write(model, dir.Path);
        var tok = HfTokenizerJson.Load(dir.Path);
        Assert.Equal(model.VocabSize, tok.VocabSize);
        foreach (var s in Corpus.Take(5).Concat(Unseen))
        {
            var ids = tok.Encode(s);
            Assert.Equal(1, ids[0]);
            Assert.Equal(s, tok.Decode(ids));
        }
        var bytes = Corpus.Sum(s => System.Text.Encoding.UTF8.GetByteCount(s));
        var tokens = Corpus.Sum(s => tok.Encode(s, addBos: false).Count);
        Assert.True(tokens * 3 < bytes, $"{tokens} tokens for {bytes} bytes: expected at least 3x compression on the training text");
    }

    [SkippableFact]
    public void TrainsOnMedQa_InSeconds()
    {
        var questions = ReferenceData.MedQaQuestions(400).ToList();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var model = BpeTrainer.Train(questions, new BpeTrainerOptions { VocabSize = 2048 });
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"training took {sw.Elapsed}");
        using var dir = new TempDir();
        HfTokenizerJson.Write(model, dir.Path);
        var tok = HfTokenizerJson.Load(dir.Path);
        foreach (var q in questions.Take(50)) Assert.Equal(q, tok.Decode(tok.Encode(q)));
    }
}
