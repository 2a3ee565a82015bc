// Q8_0 / Q4_0 blocks without ggml: hand-built blocks whose bytes follow from the format's definition
// (fp16 d first, int8 codes / nibbles with the first 16 values in the low halves), the C code's
// rounding at exact ties (roundf away from zero; (int8)(x·id + 8.5) rounds half up), the clip of the
// Q4_0 code 16 to 15, all-zero blocks, and on random blocks the error bound every code must meet
// (half a step, plus what storing d in fp16 adds). Bit-exactness against ggml itself:
// tests/Med42.Ort.Export.Tests/Gguf/GgufQuantTests.cs.
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class GgmlQuantsTests
{
    private static byte[] Q8(float[] x)
    {
        var y = new byte[x.Length / 32 * GgmlQuants.Q8_0.BlockBytes];
        GgmlQuants.Q8_0.Quantize(x, y);
        return y;
    }

    private static byte[] Q4(float[] x)
    {
        var y = new byte[x.Length / 32 * GgmlQuants.Q4_0.BlockBytes];
        GgmlQuants.Q4_0.Quantize(x, y);
        return y;
    }

    [Fact]
    public void Q8_0BlockLayoutAndTies()
    {
        // amax 31.75 = 127 · 0.25: d = 0.25 (fp16 0x3400), codes are the multipliers; 0.125 = d/2 is a tie.
        float[] x = [.. Enumerable.Range(0, 30).Select(i => (i - 15) * 4 * 0.25f), 0.125f, -31.75f];
        x[0] = -0.125f;
        var y = Q8(x);
        Assert.Equal(34, y.Length);
        Assert.Equal((byte)0x00, y[0]);
        Assert.Equal((byte)0x34, y[1]);
        Assert.Equal(-1, (sbyte)y[2]);              // −0.5 rounds away from zero
        Assert.Equal(1, (sbyte)y[2 + 30]);           // +0.5 too (roundf, not banker's rounding)
        Assert.Equal(-127, (sbyte)y[2 + 31]);
        for (var j = 1; j < 30; j++) Assert.Equal((j - 15) * 4, (sbyte)y[2 + j]);
        var back = new float[32];
        GgmlQuants.Q8_0.Dequantize(y, back);
        for (var j = 1; j < 30; j++) Assert.Equal(x[j], back[j]); // exact multiples of d come back exactly
    }

    [Fact]
    public void Q4_0BlockLayoutNibbleOrderAndTies()
    {
        // Values (k − 8) · 0.5 with k = j for the first 16 and 15 − (j − 16) for the last 16: the largest |x| is −4
        // (k = 0), so d = −4 / −8 = 0.5 (fp16 0x3800) and the codes are the k's. Byte j = k[j] | k[j + 16] << 4.
        var k = Enumerable.Range(0, 32).Select(j => j < 16 ? j : 15 - (j - 16)).ToArray();
        var x = k.Select(q => (q - 8) * 0.5f).ToArray();
        var y = Q4(x);
        Assert.Equal(18, y.Length);
        Assert.Equal(new byte[] { 0x00, 0x38 }, y[..2]);
        for (var j = 0; j < 16; j++) Assert.Equal((byte)(j | (15 - j) << 4), y[2 + j]);
        var back = new float[32];
        GgmlQuants.Q4_0.Dequantize(y, back);
        Assert.Equal(x, back);

        // Ties: x·id = ±0.5 → (int)(8.0) = 8 and (int)(9.0) = 9: half rounds up, not away from zero.
        x[1] = -0.25f;
        x[2] = 0.25f;
        y = Q4(x);
        Assert.Equal(8, y[2 + 1] & 0x0F);
        Assert.Equal(9, y[2 + 2] & 0x0F);
    }

    [Fact]
    public void Q4_0PositiveMaximumFlipsTheScaleAndClipsTheOppositeEnd()
    {
        // max +4 → d = −0.5; +4 codes 0 (exact), −4 would code 16 and is clipped to 15, i.e. −3.5.
        var x = new float[32];
        x[3] = 4f;
        x[7] = -4f;
        x[9] = 3f;
        var back = new float[32];
        GgmlQuants.Q4_0.Dequantize(Q4(x), back);
        Assert.Equal(4f, back[3]);
        Assert.Equal(-3.5f, back[7]);
        Assert.Equal(3f, back[9]);
        Assert.Equal(0f, back[0]);
    }

    [Fact]
    public void ZeroBlocksStayZero()
    {
        var x = new float[64];
        var b8 = new float[64];
        GgmlQuants.Q8_0.Dequantize(Q8(x), b8);
        var b4 = new float[64];
        GgmlQuants.Q4_0.Dequantize(Q4(x), b4);
        Assert.All(b8, v => Assert.Equal(0f, v));
        Assert.All(b4, v => Assert.Equal(0f, v));
        Assert.All(Q8(x), b => Assert.Equal(0, b));
        Assert.Equal(8, Q4(x)[2] & 0x0F); // zero is code 8 in Q4_0 (the offset), with d = 0
    }

    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    public void RandomBlocksMeetTheHalfStepBound(GgmlType type)
    {
        var rng = new Med42.Ort.Core.Randomness.SplitMix64(7);
        var x = new float[32 * 400];
        for (var b = 0; b < 400; b++)
        {
            var scale = Math.Pow(10, -4 + 6 * rng.NextDouble()); // blocks from 1e-4 to 1e2
            for (var j = 0; j < 32; j++) x[b * 32 + j] = (float)(scale * rng.NextNormal());
        }
        var bytes = new byte[type.ByteSize(x.Length, x.Length)];
        GgmlQuants.Encode(type, x, bytes);
        var back = new float[x.Length];
        GgmlQuants.Decode(type, bytes, back);
        var levels = type == GgmlType.Q8_0 ? 127.0 : 8.0;
        for (var b = 0; b < 400; b++)
        {
            var block = x.AsSpan(b * 32, 32);
            var amax = 0.0;
            foreach (var v in block) amax = Math.Max(amax, Math.Abs(v));
            var step = amax / levels;
            for (var j = 0; j < 32; j++)
            {
                var i = b * 32 + j;
                // Half a step; Q4_0 codes x·id in (7.5, 8] as 15 (a full step); storing d as fp16 moves each value by
                // at most |code| times half an fp16 spacing at d (|d|·2^-11, or 2^-25 once d is subnormal, below 2^-14);
                // 1e-6 relative covers float32 arithmetic.
                var clipped = type == GgmlType.Q4_0 && x[i] * Math.Sign(-MaxByAbs(block)) / step > 7.5;
                var bound = step * (clipped ? 1.0 : 0.5) + levels * Math.Max(step * Math.Pow(2, -11), Math.Pow(2, -25)) + 1e-6 * Math.Abs(x[i]);
                Assert.True(Math.Abs(back[i] - x[i]) <= bound, $"{type} block {b} value {j}: {x[i]} came back as {back[i]} (bound {bound})");
            }
        }
    }

    private static float MaxByAbs(ReadOnlySpan<float> block)
    {
        float amax = 0, max = 0;
        foreach (var v in block)
            if (amax < Math.Abs(v)) { amax = Math.Abs(v); max = v; }
        return max;
    }

    [Fact]
    public void SizesFollowTheBlockGeometry()
    {
        Assert.Equal((34, 18, 4, 2), (GgmlType.Q8_0.BlockBytes(), GgmlType.Q4_0.BlockBytes(), GgmlType.F32.BlockBytes(), GgmlType.F16.BlockBytes()));
        Assert.Equal(3 * 2 * 34, GgmlType.Q8_0.ByteSize(3 * 64, 64));
        Assert.Throws<ArgumentException>(() => GgmlType.Q4_0.ByteSize(172 * 2, 172)); // rows must be whole blocks
        Assert.Throws<ArgumentException>(() => GgmlQuants.Q8_0.Quantize(new float[32], new byte[33]));
    }
}
