// llama2.c tokenizer.bin (MANIFEST §1.2): int32 max_token_length, then per token float32 score,
// int32 byte length, bytes. Encode and DecodePiece follow karpathy/llama2.c run.c encode()/decode()
// exactly: dummy-prefix " " token, UTF-8 code-point lookup with byte fallback (id = byte + 3),
// then repeatedly merge the adjacent pair whose concatenation has the highest score (leftmost on ties).
// Test: tests/Med42.Ort.Core.Tests/Tokenizers/ReferenceEncodingTests.cs, Llama2cTokenizerTests.cs.
using System.Buffers.Binary;
using System.Text;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.Tokenizers;

public sealed class Llama2cTokenizer : ITextTokenizer
{
    private readonly byte[][] _vocab;
    private readonly float[] _scores;
    // Keys are the token bytes mapped one-to-one to chars (Latin-1), so any byte string is a key.
    private readonly Dictionary<string, int> _lookup;

    private Llama2cTokenizer(byte[][] vocab, float[] scores, int maxTokenLength)
    {
        _vocab = vocab;
        _scores = scores;
        MaxTokenLength = maxTokenLength;
        _lookup = new Dictionary<string, int>(vocab.Length, StringComparer.Ordinal);
        // run.c binary-searches a sorted copy; with duplicate strings either may win. First id wins here.
        for (var i = 0; i < vocab.Length; i++) _lookup.TryAdd(Key(vocab[i]), i);
    }

    public int MaxTokenLength { get; }
    public int VocabSize => _vocab.Length;
    public int BosId => 1; // run.c hard-codes BOS = 1, EOS = 2
    public int EosId => 2;

    public ReadOnlySpan<byte> TokenBytes(int id) => _vocab[id];
    public float Score(int id) => _scores[id];

    /// <summary>Reads a tokenizer.bin; <paramref name="vocabSize"/> (from the checkpoint) is checked when given, otherwise every entry up to the end is read.</summary>
    public static Llama2cTokenizer Load(string path, int? vocabSize = null)
    {
        return Parse(IO.InputFile.ReadAllBytes(path, "tokenizer.bin"), path, vocabSize);
    }

    public static Llama2cTokenizer Parse(byte[] data, string file, int? vocabSize = null)
    {
        if (data.Length < 4) throw Med42Exception.At(file, "byte 0", $"file is {data.Length} bytes, too short for the int32 max_token_length header");
        var maxLen = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (maxLen <= 0 || maxLen > 1 << 16) throw Med42Exception.At(file, "byte 0", $"max_token_length {maxLen} is not plausible (not a llama2.c tokenizer.bin?)");
        var vocab = new List<byte[]>();
        var scores = new List<float>();
        var pos = 4;
        while (pos < data.Length && (vocabSize is null || vocab.Count < vocabSize))
        {
            var i = vocab.Count;
            if (data.Length - pos < 8)
                throw Med42Exception.At(file, $"byte {pos}", $"token {i}: file ends inside the score/length fields (truncated)");
            var score = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(pos));
            var len = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(pos + 4));
            if (!float.IsFinite(score)) throw Med42Exception.At(file, $"byte {pos}", $"token {i}: score {score} is not finite");
            if (len < 0 || len > maxLen)
                throw Med42Exception.At(file, $"byte {pos + 4}", $"token {i}: length {len} is outside 0..max_token_length {maxLen}");
            if (data.Length - (pos + 8) < len)
                throw Med42Exception.At(file, $"byte {pos + 8}", $"token {i}: {len} bytes expected but the file ends after {data.Length - pos - 8} (truncated)");
            vocab.Add(data.AsSpan(pos + 8, len).ToArray());
            scores.Add(score);
            pos += 8 + len;
        }
        if (vocabSize is int want && vocab.Count != want)
            throw Med42Exception.At(file, $"byte {pos}", $"file ends after {vocab.Count} tokens but the checkpoint's vocab_size is {want}");
        if (vocabSize is not null && pos != data.Length)
            throw Med42Exception.At(file, $"byte {pos}", $"{data.Length - pos} bytes left after the {vocab.Count} tokens of the checkpoint's vocab_size");
        if (vocab.Count < 3) throw Med42Exception.At(file, $"byte {pos}", $"only {vocab.Count} tokens; <unk>, BOS and EOS are required");
        return new Llama2cTokenizer(vocab.ToArray(), scores.ToArray(), maxLen);
    }

    public IReadOnlyList<int> Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<int>();
        if (addBos) tokens.Add(BosId);
        var utf8 = Encoding.UTF8.GetBytes(text);
        if (utf8.Length > 0)
        {
            if (!_lookup.TryGetValue(" ", out var dummy)) throw new InvalidOperationException("tokenizer.bin has no \" \" token for the dummy prefix");
            tokens.Add(dummy);
        }
        // Code points: a lead byte starts a new buffer; continuation bytes (10xxxxxx) extend it up to 4 bytes.
        var start = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            if ((utf8[i] & 0xC0) != 0x80) start = i;
            var len = i - start + 1;
            if (i + 1 < utf8.Length && (utf8[i + 1] & 0xC0) == 0x80 && len < 4) continue;
            var span = utf8.AsSpan(start, len);
            if (_lookup.TryGetValue(Key(span), out var id)) tokens.Add(id);
            else foreach (var b in span) tokens.Add(b + 3);
            start = i + 1;
        }
        Merge(tokens);
        return tokens;
    }

    private void Merge(List<int> tokens)
    {
        // run.c rescans every adjacent pair after each merge; caching each pair's merged id (-1 = none)
        // and refreshing only the two pairs next to a merge picks the same merges in the same order.
        var pairs = new List<int>(Math.Max(tokens.Count - 1, 0));
        for (var i = 0; i + 1 < tokens.Count; i++) pairs.Add(PairId(tokens[i], tokens[i + 1]));
        while (true)
        {
            var bestScore = -1e10f;
            int bestId = -1, bestIdx = -1;
            for (var i = 0; i < pairs.Count; i++)
            {
                var id = pairs[i];
                if (id >= 0 && _scores[id] > bestScore) { bestScore = _scores[id]; bestId = id; bestIdx = i; }
            }
            if (bestIdx == -1) return;
            tokens[bestIdx] = bestId;
            tokens.RemoveAt(bestIdx + 1);
            pairs.RemoveAt(bestIdx);
            if (bestIdx > 0) pairs[bestIdx - 1] = PairId(tokens[bestIdx - 1], tokens[bestIdx]);
            if (bestIdx < pairs.Count) pairs[bestIdx] = PairId(tokens[bestIdx], tokens[bestIdx + 1]);
        }
    }

    private int PairId(int a, int b) => _lookup.TryGetValue(Key(_vocab[a], _vocab[b]), out var id) ? id : -1;

    /// <summary>run.c decode(): the token's bytes, minus a leading space right after BOS; "&lt;0xNN&gt;" pieces give the raw byte. BOS/EOS give their stored text ("\n&lt;s&gt;\n").</summary>
    public byte[] DecodePiece(int previousId, int id)
    {
        var piece = _vocab[id].AsSpan();
        if (previousId == BosId && piece.Length > 0 && piece[0] == (byte)' ') piece = piece[1..];
        var b = ByteValue(piece);
        return b >= 0 ? [(byte)b] : piece.ToArray();
    }

    /// <summary>Whole-sequence decode: BOS/EOS and &lt;unk&gt; skipped, one leading dummy-prefix space removed.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var buffer = new List<byte>();
        var previous = BosId; // the first piece loses its dummy-prefix space, as after BOS
        foreach (var id in ids)
        {
            if (id is 0 or 1 or 2) continue;
            buffer.AddRange(DecodePiece(previous, id));
            previous = id;
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // run.c: sscanf(piece, "<0x%02hhX>", &byte_val) — we require the full six-character form.
    private static int ByteValue(ReadOnlySpan<byte> piece)
    {
        if (piece.Length != 6 || piece[0] != '<' || piece[1] != '0' || piece[2] != 'x' || piece[5] != '>') return -1;
        var hi = HexDigit(piece[3]);
        var lo = HexDigit(piece[4]);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };

    private static string Key(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static string Key(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Span<char> chars = a.Length + b.Length <= 256 ? stackalloc char[a.Length + b.Length] : new char[a.Length + b.Length];
        for (var i = 0; i < a.Length; i++) chars[i] = (char)a[i];
        for (var i = 0; i < b.Length; i++) chars[a.Length + i] = (char)b[i];
        return new string(chars);
    }
}
