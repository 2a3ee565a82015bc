// Reader tests for SafetensorsFile: a valid file read in place, and each malformed input rejected
// with a Med42Exception naming the file and the position (bytes built by hand in SafetensorsFixtures).
using System.Text;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Tests.Shared;
using static Med42.Ort.Core.Tests.Checkpoints.SafetensorsFixtures;

namespace Med42.Ort.Core.Tests.Checkpoints;

public class SafetensorsFileTests
{
    private static string WriteFile(TempDir dir, byte[] bytes, string name = "m.safetensors")
    {
        var path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static Med42Exception Rejects(byte[] bytes, out string path)
    {
        using var dir = new TempDir();
        path = WriteFile(dir, bytes);
        var p = path;
        return Assert.Throws<Med42Exception>(() => SafetensorsFile.Open(p).Dispose());
    }

    [Fact]
    public void ValidFileIsReadInPlace()
    {
        using var dir = new TempDir();
        var data = Sequence(20);
        var path = WriteFile(dir, Build(ValidHeader, data));
        using var f = SafetensorsFile.Open(path);
        Assert.Equal(["a", "b"], f.Tensors.Select(t => t.Name));
        Assert.Equal(new TensorInfo("b", DType.F32, [3]), f.Info("b"));
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(data[8..20], f.ReadBytes("b"));
        Assert.Equal(data[0..8], f.GetSpan("a").ToArray());
        using var s = f.OpenRead("b");
        var streamed = new MemoryStream();
        s.CopyTo(streamed);
        Assert.Equal(data[8..20], streamed.ToArray());
        Assert.Equal((8L + ValidHeader.Length + 8, 12L), f.FileRange("b"));
    }

    [Fact]
    public void MissingTensorNamesTensorAndFile()
    {
        using var dir = new TempDir();
        var path = WriteFile(dir, Build(ValidHeader, Sequence(20)));
        using var f = SafetensorsFile.Open(path);
        var ex = Assert.Throws<Med42Exception>(() => f.Info("model.norm.weight"));
        Assert.Contains(path, ex.Message);
        Assert.Contains("'model.norm.weight'", ex.Message);
    }

    [Fact]
    public void FileShorterThanLengthPrefixIsTruncated()
    {
        var ex = Rejects([1, 2, 3, 4, 5], out var path);
        Assert.Equal($"{path}: byte 0: file is 5 bytes, shorter than the 8-byte header length (truncated safetensors file)", ex.Message);
    }

    [Fact]
    public void HeaderLengthPastEndOfFile()
    {
        var bytes = Build(ValidHeader, Sequence(20));
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), 1_000_000UL);
        var ex = Rejects(bytes, out var path);
        Assert.StartsWith($"{path}: byte 0: header length 1000000 runs past the end of the file (file is {bytes.Length} bytes", ex.Message);
    }

    [Fact]
    public void TruncatedDataIsOutOfRange()
    {
        var full = Build(ValidHeader, Sequence(20));
        var ex = Rejects(full[..^5], out var path);
        Assert.StartsWith($"{path}: tensor 'b': data_offsets [8, 20] are out of range: the data buffer holds 15 bytes", ex.Message);
    }

    [Fact]
    public void OverlappingOffsetsNameBothTensors()
    {
        const string header = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}""";
        var ex = Rejects(Build(header, Sequence(16)), out var path);
        Assert.Equal($"{path}: tensor 'b': data_offsets [4, 16] overlap tensor 'a' which ends at 8", ex.Message);
    }

    [Fact]
    public void GapBetweenTensorsIsRejected()
    {
        const string header = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[12,24]}}""";
        var ex = Rejects(Build(header, Sequence(24)), out var path);
        Assert.Equal($"{path}: tensor 'b': data_offsets [12, 24] leave a gap of 4 bytes after tensor 'a'", ex.Message);
    }

    [Fact]
    public void TrailingBytesNotCoveredAreRejected()
    {
        var ex = Rejects(Build(ValidHeader, Sequence(24)), out var path);
        Assert.Equal($"{path}: byte {8 + ValidHeader.Length + 20}: 4 bytes after the last tensor 'b' are not covered by any tensor", ex.Message);
    }

    [Fact]
    public void UnknownDtypeNamesTensor()
    {
        const string header = """{"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}""";
        var ex = Rejects(Build(header, Sequence(4)), out var path);
        Assert.StartsWith($"{path}: tensor 'w': unknown dtype 'F8_E4M3' (supported: F32, F16, BF16", ex.Message);
    }

    [Fact]
    public void ShapeTimesDtypeMustEqualByteSpan()
    {
        const string header = """{"w":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,10]}}""";
        var ex = Rejects(Build(header, Sequence(10)), out var path);
        Assert.Equal($"{path}: tensor 'w': shape [2,3] x BF16 = 12 bytes but data_offsets [0, 10] span 10 bytes", ex.Message);
    }

    [Fact]
    public void NonUtf8HeaderGivesTheByteOffset()
    {
        var header = Encoding.UTF8.GetBytes("""{"caf?":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        var bad = Array.IndexOf(header, (byte)'?');
        header[bad] = 0xFF; // never valid in UTF-8
        var ex = Rejects(Build(header, Sequence(4)), out var path);
        Assert.Equal($"{path}: line 1: invalid UTF-8 at byte {8 + bad} (byte 0xFF starts no valid sequence)", ex.Message);
    }

    [Fact]
    public void InvalidJsonGivesTheByteOffset()
    {
        // The value after "a": is missing; the parser stops at the '}' at header index 5.
        var ex = Rejects(Build("""{"a":}""", []), out var path);
        Assert.StartsWith($"{path}: byte {8 + 5} (line 1): invalid JSON", ex.Message);
    }

    [Fact]
    public void HeaderThatIsNotAnObjectIsRejected()
    {
        var ex = Rejects(Build("[1,2]   ", []), out var path);
        Assert.Equal($"{path}: byte 8: header does not start with '{{' (not a safetensors file?)", ex.Message);
    }

    [Fact]
    public void MetadataValuesMustBeStrings()
    {
        var ex = Rejects(Build("""{"__metadata__":{"n":3}}""", []), out var path);
        Assert.Equal($"{path}: __metadata__.n: value must be a string, got Number", ex.Message);
    }

    [Fact]
    public void ZeroSizeTensorsAndEmptyFilesAreValid()
    {
        using var dir = new TempDir();
        const string header = """{"e":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}""";
        using var f = SafetensorsFile.Open(WriteFile(dir, Build(header, [9, 8])));
        Assert.Equal(["e", "a"], f.Tensors.Select(t => t.Name));
        Assert.Equal([9, 8], f.ReadBytes("a"));
        Assert.Empty(f.ReadBytes("e"));
    }
}
