// Batched autoregressive generation over a DecoderSession: left padding, KV cache, per-row sampling,
// stop on a stop id (EOS; BOS too, as llama2.c models delimit stories with it) or the step budget;
// a non-finite logit stops it with a Med42Exception rather than sampling from garbage.
namespace Med42.Ort.Runtime;

public sealed record GenerationOptions
{
    /// <summary>Forward passes per row counted from position 0, prompt included (llama2.c's -n): a row ends with at most Steps + 1 tokens, BOS included.</summary>
    public int Steps { get; init; } = 256;
    public SamplingOptions Sampling { get; init; } = new();
    public IReadOnlySet<int> StopIds { get; init; } = new HashSet<int>();
}

public sealed class Generator(DecoderSession session)
{
    // Long because prefill, the decode loop and per-row stopping share the KV cache and position state; split, that
    // state would travel through every call.
    /// <summary>
    /// Continues each prompt (token ids, BOS included) and returns the full sequences (prompt + generated).
    /// <paramref name="onToken"/> sees (row, previous id, id) for every token after BOS, prompt tokens included,
    /// so a caller can stream exactly what llama2.c prints.
    /// </summary>
    public IReadOnlyList<List<int>> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options,
        Action<int, int, int>? onToken = null, CancellationToken cancellationToken = default)
    {
        options.Sampling.Validate();
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Count == 0)) throw new Core.Errors.Med42Exception("generate: a prompt has no tokens (BOS is required)");
        var batch = prompts.Count;
        var maxPrompt = prompts.Max(p => p.Count);
        var max = session.Config.MaxPositionEmbeddings;
        if (options.Steps > max) throw new Core.Errors.Med42Exception($"--steps {options.Steps} exceeds the model's context length {max}");
        var limit = options.Steps + 1;
        var sequences = prompts.Select(p => p.Take(limit).ToList()).ToList();
        for (var r = 0; r < batch; r++)
            for (var i = 1; i < sequences[r].Count; i++) onToken?.Invoke(r, sequences[r][i - 1], sequences[r][i]);
        if (maxPrompt >= limit) return sequences;

        var samplers = Enumerable.Range(0, batch).Select(r => new Sampler(options.Sampling with { Seed = options.Sampling.Seed + (ulong)r })).ToArray();
        var done = new bool[batch];
        var mask = new List<long>[batch];
        var ids = new long[batch * maxPrompt];
        var pos = new long[batch * maxPrompt];
        for (var r = 0; r < batch; r++)
        {
            var pad = maxPrompt - prompts[r].Count;
            mask[r] = [.. Enumerable.Repeat(0L, pad), .. Enumerable.Repeat(1L, prompts[r].Count)];
            for (var i = 0; i < prompts[r].Count; i++)
            {
                ids[r * maxPrompt + pad + i] = prompts[r][i];
                pos[r * maxPrompt + pad + i] = i;
            }
        }
        using var cache = session.NewCache(batch);
        var logits = session.Forward(ids, pos, Flatten(mask), batch, cache);
        var vocab = session.Config.VocabSize;
        var t = maxPrompt;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = new long[batch];
            var nextPos = new long[batch];
            for (var r = 0; r < batch; r++)
            {
                var row = logits.AsSpan(((r + 1) * t - 1) * vocab, vocab);
                if (!done[r])
                {
                    RequireFinite(row, r, sequences[r].Count);
                    var id = samplers[r].Next(row);
                    if (options.StopIds.Contains(id) || sequences[r].Count >= limit) done[r] = true;
                    else
                    {
                        onToken?.Invoke(r, sequences[r][^1], id);
                        sequences[r].Add(id);
                        if (sequences[r].Count >= limit) done[r] = true;
                    }
                }
                next[r] = sequences[r][^1];
                nextPos[r] = sequences[r].Count - 1;
                mask[r].Add(1);
            }
            if (done.All(d => d)) break;
            t = 1;
            logits = session.Forward(next, nextPos, Flatten(mask), batch, cache);
        }
        return sequences;
    }

    // Argmax over NaN picks id 0 and sampling over NaN picks garbage: a non-finite logit stops generation instead.
    private static void RequireFinite(ReadOnlySpan<float> logits, int row, int position)
    {
        var i = Core.Tensors.FiniteCheck.FirstNonFinite(logits);
        if (i >= 0)
            throw new Core.Errors.Med42Exception($"generate: row {row}, position {position}: logit of token {i} is {logits[(int)i]}: " +
                "the model's output is not finite (NaN/Inf weights or an overflow); stopping");
    }

    private static long[] Flatten(List<long>[] rows) => rows.SelectMany(r => r).ToArray();
}
