// A strict reader of SentencePiece's ModelProto protobuf (sentencepiece_model.proto): the pieces
// (piece, score, type) and the few trainer / normalizer fields a Llama BPE tokenizer depends on.
// Unknown fields are skipped by wire type, as protobuf requires; truncation and bad wire types
// raise Med42Exception with the byte offset. Every piece must be non-empty with a finite score, and
// exactly one piece, at unk_id, must be UNKNOWN (as SentencePiece's own model verifier requires). Test: tests/Med42.Ort.Core.Tests/Tokenizers/SentencePieceModelTests.cs.
using Google.Protobuf;
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Core.Tokenizers;

/// <summary>SentencePiece.Type in sentencepiece_model.proto.</summary>
public enum PieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>TrainerSpec.ModelType.</summary>
public enum SentencePieceModelType
{
    Unigram = 1,
    Bpe = 2,
    Word = 3,
    Char = 4,
}

public sealed record SentencePiece(string Piece, float Score, PieceType Type);

public sealed class SentencePieceModel
{
    /// <summary>The whitespace marker U+2581 ("▁") SentencePiece substitutes for spaces.</summary>
    public const string SpaceMarker = "\u2581";

    public required IReadOnlyList<SentencePiece> Pieces { get; init; }
    public SentencePieceModelType ModelType { get; init; } = SentencePieceModelType.Unigram;
    public bool ByteFallback { get; init; }
    public bool AddDummyPrefix { get; init; } = true;
    public bool RemoveExtraWhitespaces { get; init; } = true;
    public string NormalizerName { get; init; } = "nmt_nfkc";
    public int UnkId { get; init; }
    public int BosId { get; init; } = 1;
    public int EosId { get; init; } = 2;
    public int PadId { get; init; } = -1;

    public int VocabSize => Pieces.Count;

    public static SentencePieceModel Load(string path)
    {
        return Parse(IO.InputFile.ReadAllBytes(path, "SentencePiece model"), path);
    }

    /// <summary>Parses ModelProto bytes; <paramref name="file"/> names the source in error messages.</summary>
    public static SentencePieceModel Parse(byte[] bytes, string file)
    {
        var pieces = new List<SentencePiece>();
        var trainer = new Dictionary<int, object>();
        var normalizer = new Dictionary<int, object>();
        var reader = new Reader(bytes, 0, bytes.Length, file);
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1: pieces.Add(ParsePiece(reader.Sub(wire, "pieces"), pieces.Count)); break;
                case 2: ReadScalars(reader.Sub(wire, "trainer_spec"), trainer, varints: [3, 35, 40, 41, 42, 43], strings: []); break;
                case 3: ReadScalars(reader.Sub(wire, "normalizer_spec"), normalizer, varints: [3, 4], strings: [1]); break;
                default: reader.Skip(wire); break;
            }
        }
        if (pieces.Count == 0) throw Med42Exception.At(file, "byte 0", "SentencePiece model has no pieces (is this a tokenizer.model file?)");
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < pieces.Count; i++)
            if (!seen.TryAdd(pieces[i].Piece, i))
                throw Med42Exception.At(file, $"piece {i}", $"'{pieces[i].Piece}' is already piece {seen[pieces[i].Piece]} (SentencePiece requires distinct pieces)");
        var modelType = trainer.TryGetValue(3, out var mt) ? (ulong)mt : 1;
        if (modelType is < 1 or > 4) throw Med42Exception.At(file, "trainer_spec.model_type", $"unknown model type {modelType}");
        var model = new SentencePieceModel
        {
            Pieces = pieces,
            ModelType = (SentencePieceModelType)(int)modelType,
            ByteFallback = trainer.TryGetValue(35, out var bf) && (ulong)bf != 0,
            UnkId = Id(trainer, 40, 0, pieces.Count, file, "unk_id", allowNone: false),
            BosId = Id(trainer, 41, 1, pieces.Count, file, "bos_id", allowNone: true),
            EosId = Id(trainer, 42, 2, pieces.Count, file, "eos_id", allowNone: true),
            PadId = Id(trainer, 43, -1, pieces.Count, file, "pad_id", allowNone: true),
            NormalizerName = normalizer.TryGetValue(1, out var n) ? (string)n : "nmt_nfkc",
            AddDummyPrefix = !normalizer.TryGetValue(3, out var d) || (ulong)d != 0,
            RemoveExtraWhitespaces = !normalizer.TryGetValue(4, out var r) || (ulong)r != 0,
        };
        // SentencePiece requires exactly one UNKNOWN piece, at unk_id: without it encoding has no fallback.
        var unknowns = pieces.Select((p, i) => (p, i)).Where(x => x.p.Type == PieceType.Unknown).Select(x => x.i).ToList();
        if (unknowns.Count != 1 || unknowns[0] != model.UnkId)
            throw Med42Exception.At(file, $"piece {model.UnkId}",
                unknowns.Count == 0 ? "the model has no UNKNOWN piece (SentencePiece needs exactly one, at unk_id)"
                : $"UNKNOWN pieces at [{string.Join(", ", unknowns.Take(5))}] but unk_id is {model.UnkId} (SentencePiece needs exactly one, at unk_id)");
        return model;
    }

    // An id field read as int32 (negative ids are sign-extended varints); -1 disables the token where allowed.
    private static int Id(Dictionary<int, object> trainer, int field, int fallback, int count, string file, string name, bool allowNone)
    {
        if (!trainer.TryGetValue(field, out var raw)) return fallback;
        var v = (long)(ulong)raw;
        if ((v == -1 && allowNone) || (v >= 0 && v < count)) return (int)v;
        throw Med42Exception.At(file, $"trainer_spec.{name}", $"{name} {v} is outside the {count}-piece vocabulary");
    }

    private static SentencePiece ParsePiece(Reader r, int index)
    {
        string? piece = null;
        float score = 0;
        var type = PieceType.Normal;
        while (r.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1: piece = r.String(wire); break;
                case 2: score = r.Float(wire); break;
                case 3:
                    var t = (int)r.Varint(wire);
                    if (t < 1 || t > 6) throw r.Error($"piece {index}: unknown piece type {t}");
                    type = (PieceType)t;
                    break;
                default: r.Skip(wire); break;
            }
        }
        // Reported at the piece's first byte: the reader has consumed the whole piece by now.
        if (string.IsNullOrEmpty(piece)) throw Med42Exception.At(r.File, $"byte {r.SliceStart}", $"piece {index} is empty");
        if (!float.IsFinite(score)) throw Med42Exception.At(r.File, $"byte {r.SliceStart}", $"piece {index} ('{piece}'): score {score} is not finite");
        return new SentencePiece(piece, score, type);
    }

    // Only the named varint and string fields are collected (a wrong wire type is an error); others are skipped.
    private static void ReadScalars(Reader r, Dictionary<int, object> into, int[] varints, int[] strings)
    {
        while (r.Next(out var field, out var wire))
        {
            if (Array.IndexOf(varints, field) >= 0) into[field] = r.Varint(wire);
            else if (Array.IndexOf(strings, field) >= 0) into[field] = r.String(wire);
            else r.Skip(wire);
        }
    }

    /// <summary>A CodedInputStream over a slice, remembering the slice's absolute offset for messages.</summary>
    private sealed class Reader(byte[] bytes, int start, int length, string file)
    {
        private readonly CodedInputStream _in = new(bytes, start, length);
        // Whether Position counts from the buffer or the slice differs between versions; pin it to absolute.
        private readonly long _base = start - new CodedInputStream(bytes, start, length).Position;
        private long Offset => _base + _in.Position;

        public Med42Exception Error(string what) => Med42Exception.At(file, $"byte {Offset}", what);

        public bool Next(out int field, out WireFormat.WireType wire)
        {
            field = 0;
            wire = default;
            if (_in.IsAtEnd) return false;
            uint tag;
            try { tag = _in.ReadTag(); }
            catch (InvalidProtocolBufferException e) { throw Error($"bad protobuf tag ({e.Message})"); }
            field = WireFormat.GetTagFieldNumber(tag);
            wire = WireFormat.GetTagWireType(tag);
            if (field == 0) throw Error("protobuf field number 0 (not a SentencePiece model?)");
            return true;
        }

        public Reader Sub(WireFormat.WireType wire, string what)
        {
            Expect(wire, WireFormat.WireType.LengthDelimited, what);
            var at = Offset;
            ByteString data;
            try { data = _in.ReadBytes(); }
            catch (InvalidProtocolBufferException) { throw Med42Exception.At(file, $"byte {at}", $"{what}: length runs past the end of the data (truncated file?)"); }
            // ReadBytes copies; the content ends at the new position, so it began data.Length earlier.
            return new Reader(bytes, (int)(Offset - data.Length), data.Length, file);
        }

        public string String(WireFormat.WireType wire)
        {
            var r = Sub(wire, "string");
            try { return new System.Text.UTF8Encoding(false, true).GetString(bytes, r.SliceStart, r.SliceLength); }
            catch (System.Text.DecoderFallbackException) { throw Med42Exception.At(file, $"byte {r.SliceStart}", "string is not valid UTF-8"); }
        }

        public int SliceStart => start;
        private int SliceLength => length;
        public string File => file;

        public float Float(WireFormat.WireType wire)
        {
            Expect(wire, WireFormat.WireType.Fixed32, "float");
            try { return _in.ReadFloat(); }
            catch (InvalidProtocolBufferException) { throw Error("float runs past the end of the data (truncated file?)"); }
        }

        public ulong Varint(WireFormat.WireType wire)
        {
            Expect(wire, WireFormat.WireType.Varint, "varint");
            try { return _in.ReadUInt64(); }
            catch (InvalidProtocolBufferException) { throw Error("varint runs past the end of the data (truncated file?)"); }
        }

        public void Skip(WireFormat.WireType wire)
        {
            try
            {
                switch (wire)
                {
                    case WireFormat.WireType.Varint: _in.ReadUInt64(); break;
                    case WireFormat.WireType.Fixed32: _in.ReadFixed32(); break;
                    case WireFormat.WireType.Fixed64: _in.ReadFixed64(); break;
                    case WireFormat.WireType.LengthDelimited: Sub(wire, "field"); break;
                    default: throw Error($"unsupported protobuf wire type {(int)wire}");
                }
            }
            catch (InvalidProtocolBufferException) { throw Error("field runs past the end of the data (truncated file?)"); }
        }

        private void Expect(WireFormat.WireType got, WireFormat.WireType want, string what)
        {
            if (got != want) throw Error($"{what}: wire type {(int)got}, expected {(int)want}");
        }
    }
}
