// The (context, continuation) → token split of EVAL_PROTOCOL.md "Scoring a request" steps 1–3
// (harness HFLM._encode_pair / _loglikelihood_tokens). Expected ids are derived by hand from the
// fake tokenizer's rule (id = 10 + char, "xy" → 3, BOS 1), and for Llama-2 from the manifest's
// reference encodings ("▁A" = 319) and the definition whole[len(ctx):].
using Med42.Ort.Eval.Requests;
using Med42.Ort.Eval.Tests.Fakes;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Eval.Tests;

public class RequestTokenizerTests
{
    private static int C(char c) => FakeTokenizer.Id(c);

    [Fact]
    public void PlainSplit_InputDropsLastToken()
    {
        var t = new RequestTokenizer(new FakeTokenizer(), maxLength: 100).Tokenize(new("ab", " c"));
        Assert.Equal([1, C('a'), C('b'), C(' ')], t.InputIds);
        Assert.Equal([C(' '), C('c')], t.TargetIds);
        Assert.Equal(2, t.TargetStart);
    }

    [Fact]
    public void TrailingWhitespaceMovesToContinuation()
    {
        var rt = new RequestTokenizer(new FakeTokenizer(), 100);
        var (ctx, cont) = rt.EncodePair("Q: \n ", "A");
        Assert.Equal([1, C('Q'), C(':')], ctx);
        Assert.Equal([C(' '), C('\n'), C(' '), C('A')], cont);
    }

    [Fact]
    public void MergeAcrossBoundary_ContinuationIsWholeMinusContextLength()
    {
        // whole "axy b" = [1, a, XY, ' ', b]; ctx "ax" = [1, a, x]; cont = whole[3:] = [' ', b].
        // The input is ctx + cont (not whole): [1, a, x, ' '] — the harness's behaviour.
        var t = new RequestTokenizer(new FakeTokenizer(), 100).Tokenize(new("ax", "y b"));
        Assert.Equal([C(' '), C('b')], t.TargetIds);
        Assert.Equal([1, C('a'), C('x'), C(' ')], t.InputIds);
    }

    [Fact]
    public void MergeSwallowsWholeContinuation_ZeroTargets()
    {
        // whole "axy" = [1, a, XY] has the same length as ctx "ax" = [1, a, x]: nothing to score.
        var t = new RequestTokenizer(new FakeTokenizer(), 100).Tokenize(new("ax", "y"));
        Assert.Empty(t.TargetIds);
        Assert.Equal([1, C('a')], t.InputIds);
    }

    [Fact]
    public void LeftTruncation_KeepsLastMaxLengthPlusOneThenDropsLast()
    {
        // all = [1, a, b, c, d, e]; [-(3+1):] = [b, c, d, e]; [:-1] = [b, c, d].
        var t = new RequestTokenizer(new FakeTokenizer(), maxLength: 3).Tokenize(new("abcd", "e"));
        Assert.Equal([C('b'), C('c'), C('d')], t.InputIds);
        Assert.Equal([C('e')], t.TargetIds);
        Assert.Equal(2, t.TargetStart);
    }

    [Fact]
    public void EmptyContext_BecomesBos_ContinuationEncodedAlone()
    {
        var t = new RequestTokenizer(new FakeTokenizer(), 100, addBos: false).Tokenize(new("", " a"));
        Assert.Equal([1, C(' ')], t.InputIds);
        Assert.Equal([C(' '), C('a')], t.TargetIds);
    }

    [Fact]
    public void NoBos_OmitsBos()
    {
        var t = new RequestTokenizer(new FakeTokenizer(), 100, addBos: false).Tokenize(new("ab", " c"));
        Assert.Equal([C('a'), C('b'), C(' ')], t.InputIds);
        Assert.Equal([C(' '), C('c')], t.TargetIds);
    }

    [Fact]
    public void ContinuationLongerThanMaxLength_IsAnError()
    {
        Assert.Throws<Med42.Ort.Core.Errors.Med42Exception>(() => new RequestTokenizer(new FakeTokenizer(), 2).Tokenize(new("a", " bcd")));
    }

    [SkippableFact]
    public void Llama2_AnswerLetter_IsSingleToken319()
    {
        var tok = LlamaTokenizerAdapter.Load(SharedData.Path("tokenizers/llama2/tokenizer.model"));
        var rt = new RequestTokenizer(tok, 4096);
        var t = rt.Tokenize(new("Question: Which?\nA. x\nB. y\nAnswer:", " A"));
        Assert.Equal([319], t.TargetIds); // "▁A" (manifest: "A brief…" encodes to 1, 319, …)
        var ctx = tok.Encode("Question: Which?\nA. x\nB. y\nAnswer:");
        Assert.Equal([.. ctx], t.InputIds);
        Assert.Equal(1, t.InputIds[0]); // BOS
        // Encoding " A" alone adds a dummy-prefix "▁" piece (29871): the joint split avoids it.
        Assert.Equal([29871, 319], tok.Encode(" A", addBos: false));
    }

    [SkippableFact]
    public void Llama2_MergeAcrossBoundary()
    {
        var tok = LlamaTokenizerAdapter.Load(SharedData.Path("tokenizers/llama2/tokenizer.model"));
        const string context = "Hel", continuation = "lo world";
        var whole = tok.Encode(context + continuation); // [BOS, "▁Hello" 15043, "▁world" 3186]
        var ctx = tok.Encode(context);                  // [BOS, "▁Hel"]
        Assert.Equal([1, 15043, 3186], whole);
        Assert.Equal(2, ctx.Count);
        Assert.NotEqual(ctx[^1], whole[ctx.Count - 1]); // SentencePiece merged across the boundary
        var t = new RequestTokenizer(tok, 4096).Tokenize(new(context, continuation));
        // continuation = whole[len(ctx):] = ["▁world"]; input = ctx + cont minus the last token = ctx.
        Assert.Equal([3186], t.TargetIds);
        Assert.Equal([.. ctx], t.InputIds);
        // …which is not what encoding the continuation alone would give.
        Assert.NotEqual(tok.Encode(continuation, addBos: false), t.TargetIds);
    }

    [SkippableFact]
    public void Llama2_ManifestReferenceEncoding()
    {
        // Guards the adapter itself: the manifest's reference ids for this sentence.
        var tok = LlamaTokenizerAdapter.Load(SharedData.Path("tokenizers/llama2/tokenizer.model"));
        Assert.Equal([1, 306, 4658, 278, 6593, 310, 2834, 338], tok.Encode("I believe the meaning of life is"));
    }
}
