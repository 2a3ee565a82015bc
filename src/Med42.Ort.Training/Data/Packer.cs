// Packs documents into fixed-length rows [T]: input ids, labels, segment ids (1, 2, … per document,
// 0 = padding) and position ids restarting at 0 in each document. Labels are shifted here, not in the
// graph: labels[t] = ids[t+1] when token t+1 of the same document is a target, else −100; so the
// graph's loss is CE(logits[:, t], labels[:, t]) over all t. Documents never split across rows;
// without packing each row holds one document.
namespace Med42.Ort.Training.Data;

public sealed class PackedRow
{
    public PackedRow(int seqLen)
    {
        InputIds = new long[seqLen];
        Labels = Enumerable.Repeat(-100L, seqLen).ToArray();
        SegmentIds = new long[seqLen];
        PositionIds = new long[seqLen];
    }

    public long[] InputIds { get; }
    public long[] Labels { get; }
    public long[] SegmentIds { get; }
    public long[] PositionIds { get; }
    public int Used { get; set; }
    public int Documents { get; set; }
    public int TargetCount => Labels.Count(l => l != -100);
}

public static class Packer
{
    public const long IgnoreIndex = -100;

    public static List<PackedRow> Pack(IEnumerable<TokenizedDocument> docs, int seqLen, bool packing)
    {
        var rows = new List<PackedRow>();
        PackedRow? row = null;
        foreach (var d in docs)
        {
            if (d.Length > seqLen) throw new ArgumentException($"{d.Position}: document longer than seq_len (truncate first)");
            if (row is null || !packing || row.Used + d.Length > seqLen)
            {
                row = new PackedRow(seqLen);
                rows.Add(row);
            }
            Place(row, d);
        }
        return rows;
    }

    private static void Place(PackedRow row, TokenizedDocument d)
    {
        var seg = ++row.Documents;
        for (var i = 0; i < d.Length; i++)
        {
            var t = row.Used + i;
            row.InputIds[t] = d.Ids[i];
            row.SegmentIds[t] = seg;
            row.PositionIds[t] = i;
            row.Labels[t] = i + 1 < d.Length && d.Trainable[i + 1] ? d.Ids[i + 1] : IgnoreIndex;
        }
        row.Used += d.Length;
    }
}
