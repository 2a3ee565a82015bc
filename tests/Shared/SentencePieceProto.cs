// Writes SentencePiece ModelProto bytes by hand (protobuf wire format, sentencepiece_model.proto field
// numbers) for tests that need a tokenizer.model other than the shared ones: a small byte-fallback BPE
// vocabulary by default, any piece list on request. Not a product writer: only the fields readers use.
using System.Text;

namespace Med42.Ort.Tests.Shared;

public static class SentencePieceProto
{
    /// <summary>(piece, score, type) with SentencePiece's type numbers: 1 normal, 2 unknown, 3 control, 6 byte.</summary>
    public readonly record struct Piece(string Text, float Score, int Type);

    /// <summary>&lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte pieces, then a few letters and merges of English text.</summary>
    public static List<Piece> SmallBpePieces()
    {
        var pieces = new List<Piece> { new("<unk>", 0, 2), new("<s>", 0, 3), new("</s>", 0, 3) };
        for (var b = 0; b < 256; b++) pieces.Add(new($"<0x{b:X2}>", 0, 6));
        string[] merges = ["▁t", "he", "▁a", "in", "▁the", "er", "on", "▁s", "at", "en"];
        for (var i = 0; i < merges.Length; i++) pieces.Add(new(merges[i], -i, 1));
        foreach (var c in "▁etaoinshrdlucmfwypvbgkqjxz.,")
            pieces.Add(new(c.ToString(), -100 - pieces.Count, 1));
        return pieces;
    }

    /// <summary>A BPE ModelProto with byte fallback, unk 0, bos 1, eos 2, dummy prefix, no extra-whitespace removal.</summary>
    public static byte[] Build(IReadOnlyList<Piece>? pieces = null, int unkId = 0, int bosId = 1, int eosId = 2)
    {
        var model = new MemoryStream();
        foreach (var p in pieces ?? SmallBpePieces())
        {
            var piece = new MemoryStream();
            String(piece, 1, p.Text);
            Tag(piece, 2, 5);
            piece.Write(BitConverter.GetBytes(p.Score));
            Tag(piece, 3, 0);
            Varint(piece, (ulong)p.Type);
            Message(model, 1, piece.ToArray());
        }
        var trainer = new MemoryStream();
        foreach (var (field, value) in new[] { (3, 2L), (35, 1L), (40, unkId), (41, bosId), (42, eosId), (43, -1L) })
        {
            Tag(trainer, field, 0);
            Varint(trainer, (ulong)value);
        }
        Message(model, 2, trainer.ToArray());
        var normalizer = new MemoryStream();
        String(normalizer, 1, "identity");
        Tag(normalizer, 3, 0);
        Varint(normalizer, 1);
        Tag(normalizer, 4, 0);
        Varint(normalizer, 0);
        Message(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    private static void Tag(Stream s, int field, int wire) => Varint(s, (ulong)((field << 3) | wire));

    private static void Varint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    private static void String(Stream s, int field, string text) => Message(s, field, Encoding.UTF8.GetBytes(text));

    private static void Message(Stream s, int field, byte[] body)
    {
        Tag(s, field, 2);
        Varint(s, (ulong)body.Length);
        s.Write(body);
    }
}
