// The row permutation between the two rotary conventions of wq / wk.
// Meta's original Llama and llama2.c (and GGUF, whose converter re-permutes) rotate interleaved pairs
// (2i, 2i+1) of each head; Hugging Face rotates halves (i, i + D/2) and stores wq/wk rows permuted so
// the two give identical attention. HF's conversion (transformers convert_llama_weights_to_hf.py):
//   w.view(n_heads, D/2, 2, in).transpose(1, 2).reshape(n_heads*D, in)
// i.e. within each head, interleaved row 2i+j becomes halves row j*(D/2)+i (i < D/2, j in {0,1}).
// Tests: tests/Med42.Ort.Llama.Tests/Checkpoints/RotaryPermutationTests.cs.
namespace Med42.Ort.Llama.Checkpoints;

public static class RotaryPermutation
{
    /// <summary>The halves-order row (within a head) that interleaved row <paramref name="row"/> moves to.</summary>
    public static int HalvesRow(int row, int headDim) => (row % 2) * (headDim / 2) + row / 2;

    /// <summary>Interleaved (llama2.c / Meta / GGUF) rows to HF halves order; rows of <paramref name="rowBytes"/> bytes.</summary>
    public static void InterleavedToHalves(ReadOnlySpan<byte> src, Span<byte> dest, int heads, int headDim, int rowBytes) =>
        Permute(src, dest, heads, headDim, rowBytes, toHalves: true);

    /// <summary>HF halves-order rows back to the interleaved order (the exact inverse).</summary>
    public static void HalvesToInterleaved(ReadOnlySpan<byte> src, Span<byte> dest, int heads, int headDim, int rowBytes) =>
        Permute(src, dest, heads, headDim, rowBytes, toHalves: false);

    public static byte[] InterleavedToHalves(byte[] src, int heads, int headDim)
    {
        var dest = new byte[src.Length];
        InterleavedToHalves(src, dest, heads, headDim, RowBytes(src.Length, heads, headDim));
        return dest;
    }

    public static byte[] HalvesToInterleaved(byte[] src, int heads, int headDim)
    {
        var dest = new byte[src.Length];
        HalvesToInterleaved(src, dest, heads, headDim, RowBytes(src.Length, heads, headDim));
        return dest;
    }

    private static int RowBytes(int length, int heads, int headDim)
    {
        var rows = heads * headDim;
        if (rows <= 0 || length % rows != 0) throw new ArgumentException($"{length} bytes do not split into {heads} heads x {headDim} rows");
        return length / rows;
    }

    private static void Permute(ReadOnlySpan<byte> src, Span<byte> dest, int heads, int headDim, int rowBytes, bool toHalves)
    {
        if (headDim % 2 != 0) throw new ArgumentException($"head dimension {headDim} must be even", nameof(headDim));
        var total = (long)heads * headDim * rowBytes;
        if (src.Length != total || dest.Length != total)
            throw new ArgumentException($"expected {total} bytes ({heads} heads x {headDim} rows x {rowBytes} bytes), got {src.Length} -> {dest.Length}");
        if (src.Overlaps(dest)) throw new ArgumentException("source and destination must not overlap");
        for (var h = 0; h < heads; h++)
            for (var r = 0; r < headDim; r++)
            {
                var interleaved = (h * headDim + r) * rowBytes;
                var halves = (h * headDim + HalvesRow(r, headDim)) * rowBytes;
                var (from, to) = toHalves ? (interleaved, halves) : (halves, interleaved);
                src.Slice(from, rowBytes).CopyTo(dest.Slice(to, rowBytes));
            }
    }
}
