// A seeded mutation generator over input bytes, in the spirit of AFL's havoc stage: bit flips, interesting
// bytes, inserts, deletes, duplicated chunks and truncation for every kind; length-field and float tweaks
// for binary formats (the u32/u64 sizes, counts and offsets of headers, NaN/Inf in tensor data); number
// tweaks, UTF-8 breaks and JSON-structure mutations for text. The same (seed, input) always gives the same
// mutant, so a failure is reproduced from the seed printed beside it.
using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Fuzz.Tests.Mutation;

/// <summary>How an input is structured, which decides the mutations that make sense.</summary>
public enum InputShape { Binary, Json, JsonLines, Csv, Yaml }

public sealed partial class Mutator(ulong seed)
{
    private readonly Core.Randomness.SplitMix64 _rng = new(seed);

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xC3, 0xED, 0xF4, (byte)'"', (byte)'\\', (byte)'\n', (byte)'{', (byte)'[', (byte)',', (byte)':'];
    private static readonly ulong[] InterestingU64 = [0, 1, 2, 7, 8, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 1UL << 40, long.MaxValue, ulong.MaxValue];
    private static readonly float[] InterestingFloats = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, float.Epsilon, 0f, -0f, 1e30f];
    private static readonly string[] InterestingNumbers =
        ["0", "-1", "1", "1.5", "-0", "4097", "65536", "2147483648", "-2147483649", "9223372036854775808", "1e12", "1e300", "1e400", "-1e400", "1e-400", "NaN", "Infinity", ".nan", "1e", "0x10", "00"];
    // Bytes that break UTF-8 (a lone continuation, a lead without its tail, an overlong form, an encoded surrogate) and JSON escapes that break UTF-16.
    private static readonly byte[][] Utf8Breakers = [[0x80], [0xC3, (byte)'a'], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xF4, 0x90, 0x80, 0x80]];
    private static readonly string[] EscapeBreakers = ["\\ud800", "\\udfff", "\\ud800\\u0041", "\\u0000", "\\uZZZZ", "\\"];

    /// <summary>One mutant of <paramref name="input"/> and a short description of what was done (1–3 stacked mutations).</summary>
    public (byte[] Bytes, string What) Mutate(byte[] input, InputShape shape)
    {
        var bytes = input;
        var steps = new List<string>();
        var count = 1 + Next(3);
        for (var i = 0; i < count; i++)
        {
            var (next, what) = Once(bytes, shape);
            bytes = next;
            steps.Add(what);
        }
        return (bytes, string.Join(" + ", steps));
    }

    private (byte[], string) Once(byte[] b, InputShape shape)
    {
        var text = shape != InputShape.Binary;
        // Text formats get the structural mutations half of the time; binary formats their field tweaks.
        var pick = Next(text ? 12 : 10);
        return pick switch
        {
            0 => BitFlip(b),
            1 => SetByte(b),
            2 => Insert(b),
            3 => Delete(b),
            4 => Truncate(b),
            5 => Duplicate(b),
            6 or 7 when !text => LengthField(b),
            8 or 9 when !text => FloatField(b),
            6 or 7 => NumberTweak(b),
            8 => BreakUtf8(b),
            9 when shape is InputShape.Json or InputShape.JsonLines => JsonMutator.Mutate(b, shape, this),
            9 => BreakUtf8(b),
            _ when shape is InputShape.Json or InputShape.JsonLines => JsonMutator.Mutate(b, shape, this),
            _ => NumberTweak(b),
        };
    }

    public int Next(int n) => n <= 0 ? 0 : (int)(_rng.NextUInt64() % (ulong)n);

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    private (byte[], string) BitFlip(byte[] b)
    {
        if (b.Length == 0) return Insert(b);
        var r = (byte[])b.Clone();
        var at = Next(r.Length);
        var bit = Next(8);
        r[at] ^= (byte)(1 << bit);
        return (r, $"flip bit {bit} of byte {at}");
    }

    private (byte[], string) SetByte(byte[] b)
    {
        if (b.Length == 0) return Insert(b);
        var r = (byte[])b.Clone();
        var at = Next(r.Length);
        r[at] = Pick(InterestingBytes);
        return (r, $"byte {at} = 0x{r[at]:X2}");
    }

    private (byte[], string) Insert(byte[] b)
    {
        var at = Next(b.Length + 1);
        var n = 1 + Next(8);
        var add = new byte[n];
        for (var i = 0; i < n; i++) add[i] = Next(2) == 0 ? Pick(InterestingBytes) : (byte)Next(256);
        return (Splice(b, at, 0, add), $"insert {n} bytes at {at}");
    }

    private (byte[], string) Delete(byte[] b)
    {
        if (b.Length == 0) return Insert(b);
        var at = Next(b.Length);
        var n = Math.Min(1 + Next(16), b.Length - at);
        return (Splice(b, at, n, []), $"delete {n} bytes at {at}");
    }

    private (byte[], string) Truncate(byte[] b)
    {
        var n = Next(b.Length + 1);
        return (b[..n], $"truncate to {n} bytes");
    }

    private (byte[], string) Duplicate(byte[] b)
    {
        if (b.Length == 0) return Insert(b);
        var from = Next(b.Length);
        var n = Math.Min(1 + Next(64), b.Length - from);
        var at = Next(b.Length + 1);
        return (Splice(b, at, 0, b.AsSpan(from, n).ToArray()), $"copy {n} bytes from {from} to {at}");
    }

    // Sizes, counts and offsets live in headers: aim at the first kilobyte, aligned as they are stored.
    private (byte[], string) LengthField(byte[] b)
    {
        var wide = Next(2) == 0;
        var size = wide ? 8 : 4;
        if (b.Length < size) return Insert(b);
        var limit = Math.Min(b.Length - size, 1024);
        var at = Next(limit / size + 1) * size;
        var r = (byte[])b.Clone();
        var old = wide ? BinaryPrimitives.ReadUInt64LittleEndian(r.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(at));
        var value = Next(3) switch
        {
            0 => old + 1,
            1 => old - 1,
            _ => Pick(InterestingU64),
        };
        if (wide) BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(at), value);
        else BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(at), (uint)value);
        return (r, $"u{size * 8} at {at}: {old} -> {(wide ? value : (uint)value)}");
    }

    // Tensor data is most of a checkpoint: a NaN, Inf or extreme value anywhere must be caught or be harmless.
    private (byte[], string) FloatField(byte[] b)
    {
        if (b.Length < 4) return Insert(b);
        var r = (byte[])b.Clone();
        var f = Pick(InterestingFloats);
        if (Next(2) == 0)
        {
            var at = Next(r.Length / 4) * 4;
            BinaryPrimitives.WriteSingleLittleEndian(r.AsSpan(at), f);
            return (r, $"f32 at {at} = {f}");
        }
        var at2 = Next(r.Length / 2) * 2;
        BinaryPrimitives.WriteHalfLittleEndian(r.AsSpan(at2), (Half)f);
        return (r, $"f16 at {at2} = {(Half)f}");
    }

    private (byte[], string) NumberTweak(byte[] b)
    {
        var text = Encoding.Latin1.GetString(b); // byte-preserving: one char per byte
        var numbers = NumberPattern().Matches(text);
        if (numbers.Count == 0) return SetByte(b);
        var m = numbers[Next(numbers.Count)];
        var replacement = Pick(InterestingNumbers);
        return (Splice(b, m.Index, m.Length, Encoding.ASCII.GetBytes(replacement)), $"number '{m.Value}' at {m.Index} -> {replacement}");
    }

    private (byte[], string) BreakUtf8(byte[] b)
    {
        var at = Next(b.Length + 1);
        if (Next(2) == 0)
        {
            var bad = Pick(Utf8Breakers);
            return (Splice(b, at, 0, bad), $"invalid UTF-8 {Convert.ToHexString(bad)} at {at}");
        }
        var esc = Pick(EscapeBreakers);
        return (Splice(b, at, 0, Encoding.ASCII.GetBytes(esc)), $"escape {esc} at {at}");
    }

    public static byte[] Splice(byte[] b, int at, int remove, byte[] add)
    {
        var r = new byte[b.Length - remove + add.Length];
        b.AsSpan(0, at).CopyTo(r);
        add.CopyTo(r, at);
        b.AsSpan(at + remove).CopyTo(r.AsSpan(at + add.Length));
        return r;
    }

    [GeneratedRegex(@"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")]
    private static partial Regex NumberPattern();
}
