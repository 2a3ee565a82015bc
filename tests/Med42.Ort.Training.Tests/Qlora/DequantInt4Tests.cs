// ai.med42 DequantInt4 (native/src/ort/custom_ops.cpp) against two independent reconstructions of the same
// packed int4 data: Int4Quantizer's own Int4Weight.Dequantize (C#, bitwise) and ONNX Runtime's MatMulNBits
// applied to the identity (y = I·W'ᵀ), covering symmetric/asymmetric, every block size and a K that is not a
// multiple of the block (stories260K's down_proj has K = 172).
// Run: dotnet test tests/Med42.Ort.Training.Tests --filter DequantInt4Tests
using Med42.Ort.Core.Tensors;
using Med42.Ort.Graph;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Tests.Kernels;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Med42.Ort.Training.Tests.Qlora;

public class DequantInt4Tests
{
    [SkippableTheory]
    [InlineData(5, 64, 32, false)]
    [InlineData(3, 172, 32, false)]
    [InlineData(4, 48, 16, true)]
    [InlineData(2, 256, 128, false)]
    [InlineData(3, 100, 64, true)]
    public void EqualsQuantizerDequantizeAndOrtMatMulNBits(int n, int k, int blockSize, bool asymmetric)
    {
        var lib = NativeRequired.OrtOpsLibrary();
        var w = Int4Graphs.RandomWeight(n, k, blockSize, asymmetric, seed: n * 1000 + k);
        var expected = w.Dequantize();

        // DequantInt4 with the packed operands as graph inputs (no constant folding of the custom op).
        var b = new GraphBuilder("dequant_int4");
        var packed = b.Input("b", DType.U8, w.N, w.BlocksPerRow, w.BlobSize);
        var scales = b.Input("scales", DType.F32, w.Scales.Length);
        var zeros = w.ZeroPoints is null ? null : b.Input("zero_points", DType.U8, w.ZeroPoints.Length);
        b.Output(b.DequantInt4(packed, scales, zeros, k, n, blockSize), "w");
        using var s = new SessionSettings { CustomOpLibraries = [lib] }.CreateSession(OnnxExport.ToBytes(b.Graph));
        var feeds = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("b", new DenseTensor<byte>(w.Packed, [w.N, w.BlocksPerRow, w.BlobSize])),
            NamedOnnxValue.CreateFromTensor("scales", new DenseTensor<float>(w.Scales, [w.Scales.Length])),
        };
        if (w.ZeroPoints is not null) feeds.Add(NamedOnnxValue.CreateFromTensor("zero_points", new DenseTensor<byte>(w.ZeroPoints, [w.ZeroPoints.Length])));
        using var res = s.Run(feeds, ["w"]);
        var got = res[0].AsTensor<float>();
        Assert.Equal([n, k], got.Dimensions.ToArray());
        // Bitwise: both compute (q − zp)·scale as one float32 product.
        Assert.Equal(Int4Graphs.Bytes(expected), Int4Graphs.Bytes(got.ToArray()));

        // ORT MatMulNBits(x = I [K,K]) = W'ᵀ: each output is one w·1 plus exact zeros, so equal as values
        // (compared with ==, so a −0 from a negative scale equals ORT's +0 sum).
        var m = new GraphBuilder("matmulnbits_identity");
        var x = m.Input("x", DType.F32, k, k);
        m.Output(Int4Graphs.MatMulNBits(m, x, w), "y");
        using var ms = new SessionSettings().CreateSession(OnnxExport.ToBytes(m.Graph));
        var eye = new float[k * k];
        for (var i = 0; i < k; i++) eye[i * k + i] = 1;
        using var mres = ms.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(eye, [k, k]))], ["y"]);
        var y = mres[0].AsTensor<float>().ToArray();   // [K, N]
        for (var row = 0; row < n; row++)
            for (var col = 0; col < k; col++)
                Assert.True(expected[row * k + col] == y[col * n + row], $"W'[{row},{col}]: DequantInt4 {expected[row * k + col]:R}, MatMulNBits {y[col * n + row]:R}");
    }
}
