// Tokenises (context, continuation) exactly as lm-evaluation-harness HFLM._encode_pair and
// _loglikelihood_tokens do (EVAL_PROTOCOL.md "Scoring a request" steps 1–3):
//   1. trailing whitespace of the context moves to the front of the continuation;
//   2. whole = encode(ctx + cont), ctxIds = encode(ctx), contIds = whole[len(ctxIds):]
//      (SentencePiece may merge across the boundary, so this is not encode(cont));
//      an empty context becomes [BOS] and the continuation is encoded alone, without BOS;
//   3. input = (ctxIds + contIds)[-(maxLength + 1):][:-1]  (left truncation), targets = contIds.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval.Tasks;

namespace Med42.Ort.Eval.Requests;

public sealed class RequestTokenizer
{
    private readonly ITextTokenizer _tokenizer;

    /// <param name="maxLength">The model's context length; inputs keep their last maxLength tokens.</param>
    /// <param name="addBos">Prepend BOS when encoding (the Llama tokenizer default); false is the --no-bos protocol.</param>
    public RequestTokenizer(ITextTokenizer tokenizer, int maxLength, bool addBos = true)
    {
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength));
        _tokenizer = tokenizer;
        MaxLength = maxLength;
        AddBos = addBos;
    }

    public int MaxLength { get; }
    public bool AddBos { get; }

    public TokenRequest Tokenize(LoglikelihoodRequest request)
    {
        var (ctxIds, contIds) = EncodePair(request.Context, request.Continuation);
        if (contIds.Length > MaxLength)
            throw new Med42Exception($"continuation of {contIds.Length} tokens exceeds the maximum length {MaxLength}");
        var all = new int[ctxIds.Length + contIds.Length];
        ctxIds.CopyTo(all, 0);
        contIds.CopyTo(all, ctxIds.Length);
        // [-(max_length + 1):][:-1]
        var start = Math.Max(0, all.Length - (MaxLength + 1));
        var input = all[start..^1];
        return new TokenRequest(input, contIds);
    }

    public IReadOnlyList<TokenRequest> TokenizeAll(IEnumerable<LoglikelihoodRequest> requests) => requests.Select(Tokenize).ToArray();

    /// <summary>(context ids, continuation ids) as the harness's _encode_pair computes them.</summary>
    public (int[] Context, int[] Continuation) EncodePair(string context, string continuation)
    {
        if (context.Length == 0)
            return ([_tokenizer.BosId], _tokenizer.Encode(continuation, addBos: false).ToArray());

        var trimmed = context.Length;
        while (trimmed > 0 && PromptTemplates.IsPythonSpace(context[trimmed - 1])) trimmed--;
        if (trimmed < context.Length)
        {
            continuation = context[trimmed..] + continuation;
            context = context[..trimmed];
        }

        var whole = _tokenizer.Encode(context + continuation, AddBos);
        var ctx = _tokenizer.Encode(context, AddBos).ToArray();
        var cont = whole.Skip(ctx.Length).ToArray();
        return (ctx, cont);
    }
}
