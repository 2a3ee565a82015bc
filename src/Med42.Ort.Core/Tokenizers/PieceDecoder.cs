// Turns SentencePiece-style pieces back into bytes and text, shared by the tokenizer.model and
// tokenizer.json tokenizers. Rules: "▁" → " "; <0xNN> byte pieces → the raw byte; control and
// unknown pieces → nothing; a piece right after BOS loses its leading space (llama2.c run.c decode());
// a whole decode drops one leading space (HF decoder Strip(" ", 1, 0) / SentencePiece dummy prefix).
using System.Globalization;
using System.Text;

namespace Med42.Ort.Core.Tokenizers;

internal sealed class PieceDecoder
{
    private readonly byte[][] _bytes;
    private readonly bool[] _skip;
    private readonly int _bosId;

    public PieceDecoder(IReadOnlyList<SentencePiece> pieces, int bosId)
    {
        _bosId = bosId;
        _bytes = new byte[pieces.Count][];
        _skip = new bool[pieces.Count];
        for (var i = 0; i < pieces.Count; i++)
        {
            var p = pieces[i];
            _skip[i] = p.Type is PieceType.Control or PieceType.Unknown;
            _bytes[i] = _skip[i] ? [] : PieceBytes(p.Piece, p.Type == PieceType.Byte);
        }
    }

    /// <summary>Raw byte of a "&lt;0xNN&gt;" piece, or -1 when the piece is not of that form.</summary>
    public static int ByteValue(string piece)
    {
        if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            return b;
        return -1;
    }

    private static byte[] PieceBytes(string piece, bool isByte)
    {
        if (isByte)
        {
            var b = ByteValue(piece);
            if (b >= 0) return [(byte)b];
        }
        return Encoding.UTF8.GetBytes(piece.Replace(SentencePieceModel.SpaceMarker, " ", StringComparison.Ordinal));
    }

    public byte[] DecodePiece(int previousId, int id)
    {
        var bytes = Piece(id);
        if (previousId == _bosId && bytes.Length > 0 && bytes[0] == (byte)' ') return bytes[1..];
        return (byte[])bytes.Clone();
    }

    public string Decode(IEnumerable<int> ids)
    {
        var buffer = new List<byte>();
        foreach (var id in ids) buffer.AddRange(Piece(id));
        var start = buffer.Count > 0 && buffer[0] == (byte)' ' ? 1 : 0;
        // Invalid UTF-8 (a cut multi-byte sequence) becomes U+FFFD, as SentencePiece and HF ByteFallback do.
        return Encoding.UTF8.GetString(buffer.ToArray(), start, buffer.Count - start);
    }

    private byte[] Piece(int id)
    {
        if ((uint)id >= (uint)_bytes.Length) throw new ArgumentOutOfRangeException(nameof(id), id, $"token id outside the {_bytes.Length}-token vocabulary");
        return _bytes[id];
    }
}
