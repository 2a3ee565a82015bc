// Reads a Hugging Face tokenizer.json holding a byte-fallback BPE model (the Llama layout that
// HfTokenizerJson writes) and encodes exactly as HF tokenizers' BPE does: normalizers (Prepend,
// Replace), code points looked up in the vocab or split into <0xNN> byte tokens, then merges applied
// lowest rank first (leftmost on ties) through a priority queue, as tokenizers' Word::merge_all does.
// Added special tokens in the input text are NOT split out (SentencePiece does not either).
// Test: tests/Med42.Ort.Core.Tests/Tokenizers/HfTokenizerJsonTests.cs.
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.Tokenizers;

public sealed class HfBpeTokenizer : ITextTokenizer
{
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<(int, int), (int Rank, int NewId)> _merges;
    private readonly List<(string? Prepend, string? From, string? To, Regex? Pattern)> _normalizers;
    private readonly int _unkId;
    private readonly bool _byteFallback;
    private readonly bool _addBos;
    private readonly int[] _byteIds;
    private readonly PieceDecoder _decoder;

    private HfBpeTokenizer(List<SentencePiece> pieces, Dictionary<string, int> vocab, Dictionary<(int, int), (int, int)> merges,
        List<(string?, string?, string?, Regex?)> normalizers, int unkId, bool byteFallback, bool addBos, int bosId, int eosId)
    {
        Pieces = pieces;
        _vocab = vocab;
        _merges = merges;
        _normalizers = normalizers;
        _unkId = unkId;
        _byteFallback = byteFallback;
        _addBos = addBos;
        BosId = bosId;
        EosId = eosId;
        _byteIds = new int[256];
        for (var b = 0; b < 256; b++) _byteIds[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
        _decoder = new PieceDecoder(pieces, bosId);
    }

    /// <summary>The vocabulary as pieces (special added tokens typed Control/Unknown, &lt;0xNN&gt; as Byte).</summary>
    public IReadOnlyList<SentencePiece> Pieces { get; }
    public int MergeCount => _merges.Count;
    public int VocabSize => Pieces.Count;
    public int BosId { get; }
    public int EosId { get; }

    // Reads and checks tokenizer.json's fields in schema order, each with its own error naming the key; the length
    // is the schema's.
    public static HfBpeTokenizer Load(string path)
    {
        using var doc = ParseJson(IO.InputFile.ReadAllBytes(path, "tokenizer.json"), path);
        var root = doc.RootElement;
        var schema = HfBpeSchema.Read(root, path);
        var model = Member(root, "model", "$", path, JsonValueKind.Object);
        var vocabEl = Member(model, "vocab", "$.model", path, JsonValueKind.Object);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        var byId = new Dictionary<int, string>();
        foreach (var prop in vocabEl.EnumerateObject())
        {
            if (prop.Value.ValueKind != JsonValueKind.Number || !prop.Value.TryGetInt32(out var id) || id < 0)
                throw Med42Exception.At(path, $"$.model.vocab[\"{prop.Name}\"]", "token id is not a non-negative integer");
            if (prop.Name.Length == 0) throw Med42Exception.At(path, "$.model.vocab[\"\"]", "empty token");
            if (!vocab.TryAdd(prop.Name, id)) throw Med42Exception.At(path, $"$.model.vocab[\"{prop.Name}\"]", "duplicate token");
            if (!byId.TryAdd(id, prop.Name)) throw Med42Exception.At(path, $"$.model.vocab[\"{prop.Name}\"]", $"id {id} is also used by '{byId[id]}'");
        }
        var special = new Dictionary<int, string>();
        foreach (var a in schema.AddedTokens)
        {
            if (!byId.TryAdd(a.Id, a.Content) && byId[a.Id] != a.Content)
                throw Med42Exception.At(path, a.At, $"added token '{a.Content}' reuses id {a.Id} of '{byId[a.Id]}'");
            vocab.TryAdd(a.Content, a.Id);
            if (a.Special) special[a.Id] = a.Content;
        }
        for (var id = 0; id < byId.Count; id++)
            if (!byId.ContainsKey(id)) throw Med42Exception.At(path, "$.model.vocab", $"ids are not dense: {id} is missing below {byId.Count}");

        var byteFallback = schema.ByteFallback;
        var unkId = -1;
        if (schema.UnkToken is { } unkName && !vocab.TryGetValue(unkName, out unkId))
            throw Med42Exception.At(path, "$.model.unk_token", $"'{unkName}' is not in the vocab");
        // Without an unknown token every character must be encodable through the 256 byte tokens.
        if (unkId < 0 && !(byteFallback && Enumerable.Range(0, 256).All(b => vocab.ContainsKey($"<0x{b:X2}>"))))
            throw Med42Exception.At(path, "$.model.unk_token", "missing: without byte_fallback and all 256 <0xNN> tokens an unknown token is required");

        var pieces = new List<SentencePiece>(byId.Count);
        for (var id = 0; id < byId.Count; id++)
        {
            var piece = byId[id];
            var kind = id == unkId ? PieceType.Unknown
                : special.ContainsKey(id) ? PieceType.Control
                : byteFallback && PieceDecoder.ByteValue(piece) >= 0 ? PieceType.Byte
                : PieceType.Normal;
            pieces.Add(new SentencePiece(piece, 0, kind));
        }

        var merges = ReadMerges(model, vocab, path);
        var normalizers = new List<(string?, string?, string?, Regex?)>();
        if (root.TryGetProperty("normalizer", out var norm) && norm.ValueKind != JsonValueKind.Null) ReadNormalizer(norm, "$.normalizer", path, normalizers, depth: 0);
        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind != JsonValueKind.Null)
            throw Med42Exception.At(path, "$.pre_tokenizer", "pre-tokenizers are not supported (the Llama layout has none)");

        var bosId = vocab.TryGetValue("<s>", out var b) ? b : -1;
        var eosId = vocab.TryGetValue("</s>", out var e) ? e : -1;
        var addBos = false;
        foreach (var name in schema.BosTemplate)
        {
            if (!vocab.TryGetValue(name, out var id)) throw Med42Exception.At(path, "$.post_processor.single", $"special token '{name}' is not in the vocab");
            bosId = id;
            addBos = true;
        }
        return new HfBpeTokenizer(pieces, vocab, merges, normalizers, unkId, byteFallback, addBos, bosId, eosId);
    }

    // The text-input policy first (UTF-8, no lone surrogate escapes), then JSON with this reader's "line, byte" positions.
    private static JsonDocument ParseJson(byte[] bytes, string path)
    {
        IO.TextInput.Require(bytes, path, jsonEscapes: true);
        try { return JsonDocument.Parse(bytes, Checkpoints.JsonFile.Options); }
        catch (JsonException e)
        {
            throw Med42Exception.At(path, $"line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}", $"invalid JSON: {e.Message}");
        }
    }

    private static JsonElement Member(JsonElement obj, string name, string at, string path, JsonValueKind kind)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw Med42Exception.At(path, at, "expected a JSON object");
        if (!obj.TryGetProperty(name, out var v)) throw Med42Exception.At(path, at, $"missing \"{name}\"");
        if (v.ValueKind != kind) throw Med42Exception.At(path, $"{at}.{name}", $"expected {kind}, found {v.ValueKind}");
        return v;
    }

    private static Dictionary<(int, int), (int, int)> ReadMerges(JsonElement model, Dictionary<string, int> vocab, string path)
    {
        var merges = new Dictionary<(int, int), (int, int)>();
        var list = Member(model, "merges", "$.model", path, JsonValueKind.Array);
        var rank = 0;
        foreach (var m in list.EnumerateArray())
        {
            var at = $"$.model.merges[{rank}]";
            string left, right;
            if (m.ValueKind == JsonValueKind.String)
            {
                // tokenizers splits the legacy "a b" form at the first space.
                var s = m.GetString()!;
                var space = s.IndexOf(' ', StringComparison.Ordinal);
                if (space < 0) throw Med42Exception.At(path, at, $"merge \"{s}\" has no space separating its two parts");
                left = s[..space];
                right = s[(space + 1)..];
            }
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2 && m[0].ValueKind == JsonValueKind.String && m[1].ValueKind == JsonValueKind.String)
            {
                left = m[0].GetString()!;
                right = m[1].GetString()!;
            }
            else throw Med42Exception.At(path, at, "a merge must be \"left right\" or [\"left\", \"right\"]");
            if (!vocab.TryGetValue(left, out var l)) throw Med42Exception.At(path, at, $"merge part '{left}' is not in the vocab");
            if (!vocab.TryGetValue(right, out var r)) throw Med42Exception.At(path, at, $"merge part '{right}' is not in the vocab");
            if (!vocab.TryGetValue(left + right, out var n)) throw Med42Exception.At(path, at, $"merged token '{left + right}' is not in the vocab");
            merges.TryAdd((l, r), (rank, n)); // tokenizers keeps the first rank of a repeated pair
            rank++;
        }
        return merges;
    }

    private static void ReadNormalizer(JsonElement n, string at, string path, List<(string?, string?, string?, Regex?)> into, int depth)
    {
        if (depth > 4) throw Med42Exception.At(path, at, "normalizers nested too deeply");
        var type = Member(n, "type", at, path, JsonValueKind.String).GetString();
        switch (type)
        {
            case "Sequence":
                var i = 0;
                foreach (var child in Member(n, "normalizers", at, path, JsonValueKind.Array).EnumerateArray())
                    ReadNormalizer(child, $"{at}.normalizers[{i++}]", path, into, depth + 1);
                break;
            case "Prepend":
                into.Add((Member(n, "prepend", at, path, JsonValueKind.String).GetString(), null, null, null));
                break;
            case "Replace":
                var pattern = Member(n, "pattern", at, path, JsonValueKind.Object);
                var content = Member(n, "content", at, path, JsonValueKind.String).GetString();
                if (pattern.TryGetProperty("String", out var from) && from.ValueKind == JsonValueKind.String)
                    into.Add((null, from.GetString(), content, null));
                else if (pattern.TryGetProperty("Regex", out var re) && re.ValueKind == JsonValueKind.String)
                {
                    // tokenizers uses Oniguruma; the simple patterns written here mean the same in .NET. The
                    // non-backtracking engine keeps a hostile pattern from taking exponential time on user text.
                    try { into.Add((null, null, content, new Regex(re.GetString()!, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking))); }
                    catch (Exception e) when (e is ArgumentException or NotSupportedException) { throw Med42Exception.At(path, $"{at}.pattern", $"bad or unsupported regex: {e.Message}"); }
                }
                else throw Med42Exception.At(path, $"{at}.pattern", "expected {\"String\": …} or {\"Regex\": …}");
                break;
            default:
                throw Med42Exception.At(path, $"{at}.type", $"normalizer '{type}' is not supported (Sequence, Prepend, Replace are)");
        }
    }

    /// <summary>Encodes as HF tokenizers would with this tokenizer.json; <paramref name="addBos"/> applies the post-processor's BOS.</summary>
    public IReadOnlyList<int> Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (addBos && _addBos) ids.Add(BosId);
        var normalized = Normalize(text);
        if (normalized.Length > 0) ids.AddRange(EncodeWord(normalized));
        return ids;
    }

    private string Normalize(string text)
    {
        foreach (var (prepend, from, to, pattern) in _normalizers)
        {
            if (prepend is not null) { if (text.Length > 0) text = prepend + text; } // Prepend skips empty input
            else if (pattern is not null) text = pattern.Replace(text, to!);
            else if (from!.Length > 0) text = text.Replace(from, to, StringComparison.Ordinal);
        }
        return text;
    }

    private List<int> EncodeWord(string word)
    {
        var ids = new List<int>();
        var lastWasUnk = false;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in word.EnumerateRunes())
        {
            if (_vocab.TryGetValue(rune.ToString(), out var id)) { ids.Add(id); lastWasUnk = false; continue; }
            var n = rune.EncodeToUtf8(utf8);
            var allBytes = _byteFallback;
            for (var i = 0; i < n && allBytes; i++) allBytes = _byteIds[utf8[i]] >= 0;
            if (allBytes)
            {
                for (var i = 0; i < n; i++) ids.Add(_byteIds[utf8[i]]);
                lastWasUnk = false;
                continue;
            }
            if (_unkId < 0) throw new InvalidOperationException($"'{rune}' is not in the vocabulary and there is no unk token");
            if (!lastWasUnk) ids.Add(_unkId); // fuse_unk: consecutive unknowns become one
            lastWasUnk = true;
        }
        return MergeAll(ids);
    }

    // tokenizers' Word::merge_all: a min-heap of (rank, position); a popped entry is applied only if the
    // pair now at that position still maps to the same new id (the library's own staleness test).
    private List<int> MergeAll(List<int> symbols)
    {
        var n = symbols.Count;
        var id = symbols.ToArray();
        var prev = new int[n];
        var next = new int[n];
        var alive = new bool[n];
        for (var i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; alive[i] = true; }
        var queue = new PriorityQueue<(int Pos, int NewId), (int Rank, int Pos)>();
        for (var i = 0; i + 1 < n; i++)
            if (_merges.TryGetValue((id[i], id[i + 1]), out var m)) queue.Enqueue((i, m.NewId), (m.Rank, i));
        while (queue.TryDequeue(out var top, out _))
        {
            var pos = top.Pos;
            if (!alive[pos] || next[pos] == -1) continue;
            var right = next[pos];
            if (!_merges.TryGetValue((id[pos], id[right]), out var cur) || cur.NewId != top.NewId) continue;
            id[pos] = top.NewId;
            alive[right] = false;
            next[pos] = next[right];
            if (next[right] != -1) prev[next[right]] = pos;
            if (prev[pos] != -1 && _merges.TryGetValue((id[prev[pos]], id[pos]), out var lm)) queue.Enqueue((prev[pos], lm.NewId), (lm.Rank, prev[pos]));
            if (next[pos] != -1 && _merges.TryGetValue((id[pos], id[next[pos]]), out var rm)) queue.Enqueue((pos, rm.NewId), (rm.Rank, pos));
        }
        var result = new List<int>();
        for (var i = 0; i < n; i++) if (alive[i]) result.Add(id[i]);
        return result;
    }

    public string Decode(IEnumerable<int> ids) => _decoder.Decode(ids);

    public byte[] DecodePiece(int previousId, int id) => _decoder.DecodePiece(previousId, id);
}
