// Hand-built safetensors bytes for reader tests, written independently of SafetensorsWriter:
// u64 little-endian header length, the header JSON text exactly as given, then the data bytes.
using System.Buffers.Binary;
using System.Text;

namespace Med42.Ort.Core.Tests.Checkpoints;

internal static class SafetensorsFixtures
{
    public static byte[] Build(string headerJson, byte[] data) => Build(Encoding.UTF8.GetBytes(headerJson), data);

    public static byte[] Build(byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    public static byte[] Sequence(int n) => [.. Enumerable.Range(0, n).Select(i => (byte)(i * 7 + 3))];

    /// <summary>Two F32 tensors a [2] and b [3] laid out back to back: 20 bytes of data.</summary>
    public const string ValidHeader = """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[8,20]}}""";
}
