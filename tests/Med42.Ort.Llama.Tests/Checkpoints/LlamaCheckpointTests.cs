// LlamaCheckpoint.Open: format detection, pickle refusal, and weight validation against WeightLayout.
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Llama.Tests.Checkpoints;

public class LlamaCheckpointTests
{
    private static readonly LlamaConfig Small = new()
    {
        HiddenSize = 12, IntermediateSize = 10, NumHiddenLayers = 2, NumAttentionHeads = 3, NumKeyValueHeads = 1,
        VocabSize = 17, MaxPositionEmbeddings = 32, TieWordEmbeddings = false,
    };

    private static string SaveSmall(TempDir dir, DType dtype = DType.F32, long shardBytes = HfFolderWriter.DefaultShardBytes)
    {
        var folder = Path.Combine(dir.Path, "hf");
        HfFolderWriter.Save(folder, Small, TinyLlama.Create(Small, seed: 11), dtype, shardBytes);
        return folder;
    }

    [Theory]
    [InlineData("pytorch_model.bin", new byte[] { 1, 2, 3 })]
    [InlineData("consolidated.00.pth", new byte[] { 1, 2, 3 })]
    [InlineData("model.pt", new byte[] { 1, 2, 3 })]
    [InlineData("weights.bin", new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0 })]        // torch.save zip
    [InlineData("weights.bin", new byte[] { 0x80, 0x02, 0x7D, 0x71, 0x00, (byte)'.' })] // pickle protocol 2
    public void PickleCheckpointsAreRefusedWithWhyAndHow(string name, byte[] content)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllBytes(path, content);
        var ex = Assert.Throws<Med42Exception>(() => LlamaCheckpoint.Open(path));
        Assert.StartsWith($"{path}: ", ex.Message);
        Assert.Contains("PyTorch checkpoint refused", ex.Message);
        Assert.Contains("arbitrary code", ex.Message);
        Assert.Contains("save_pretrained(out_dir, safe_serialization=True)", ex.Message);
    }

    [Fact]
    public void FolderWithOnlyAPickleIsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), "{}");
        File.WriteAllBytes(dir.File("pytorch_model.bin"), [0x80, 0x02, 0x7D]);
        var ex = Assert.Throws<Med42Exception>(() => LlamaCheckpoint.Open(dir.Path));
        Assert.Contains("pytorch_model.bin: pickle PyTorch checkpoint refused", ex.Message);
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    public void HfFolderLoadsInEachDtype(DType dtype)
    {
        using var dir = new TempDir();
        var folder = SaveSmall(dir, dtype);
        using var ckpt = LlamaCheckpoint.Open(folder);
        Assert.Equal(CheckpointFormat.HuggingFace, ckpt.Format);
        Assert.Equal(Small, ckpt.Config);
        var original = TinyLlama.Create(Small, seed: 11);
        foreach (var spec in WeightLayout.For(Small))
        {
            Assert.Equal(dtype, ckpt.Weights.Info(spec.Name).DType);
            // Expected: the F32 values rounded by FloatConvert (RNE for BF16, IEEE for F16), read back bitwise.
            var values = original.ReadFloat32(spec.Name);
            var expected = new byte[values.Length * dtype.Size()];
            FloatConvert.FromFloat32(dtype, values, expected);
            Assert.Equal(expected, ckpt.Weights.ReadBytes(spec.Name));
        }
    }

    [Fact]
    public void ShardedFolderLoads()
    {
        using var dir = new TempDir();
        var folder = SaveSmall(dir, DType.F32, shardBytes: 1000);
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors.index.json")));
        Assert.True(Directory.GetFiles(folder, "model-*-of-*.safetensors").Length > 2);
        using var ckpt = LlamaCheckpoint.Open(folder);
        var original = TinyLlama.Create(Small, seed: 11);
        foreach (var t in original.Tensors) Assert.Equal(original.ReadBytes(t.Name), ckpt.Weights.ReadBytes(t.Name));
    }

    [Fact]
    public void MissingTensorIsNamedWithTheFile()
    {
        using var dir = new TempDir();
        var folder = SaveSmall(dir);
        var file = Path.Combine(folder, "model.safetensors");
        var store = TinyLlama.Create(Small, seed: 11);
        SafetensorsWriter.Write(file, store.Tensors.Where(t => t.Name != WeightLayout.PostAttentionNorm(1)).Select(t => TensorSource.From(store, t)).ToList());
        var ex = Assert.Throws<Med42Exception>(() => LlamaCheckpoint.Open(folder));
        Assert.Equal($"{file}: tensor 'model.layers.1.post_attention_layernorm.weight': missing tensor (expected shape [12])", ex.Message);
    }

    [Fact]
    public void WrongShapeIsNamedWithTheFile()
    {
        using var dir = new TempDir();
        var folder = SaveSmall(dir);
        var file = Path.Combine(folder, "model.safetensors");
        var store = TinyLlama.Create(Small, seed: 11);
        var sources = store.Tensors.Select(t => t.Name == WeightLayout.LmHead
            ? new TensorSource(new TensorInfo(t.Name, DType.F32, [12, 17]), s => s.Write(store.ReadBytes(t.Name)))
            : TensorSource.From(store, t)).ToList();
        SafetensorsWriter.Write(file, sources);
        var ex = Assert.Throws<Med42Exception>(() => LlamaCheckpoint.Open(folder));
        Assert.Equal($"{file}: tensor 'lm_head.weight': shape [12,17] does not match the config's [17,12]", ex.Message);
    }

    [Fact]
    public void FolderWithoutConfigIsRejected()
    {
        using var dir = new TempDir();
        var folder = SaveSmall(dir);
        File.Delete(Path.Combine(folder, "config.json"));
        var ex = Assert.Throws<Med42Exception>(() => LlamaCheckpoint.Open(folder));
        Assert.Equal($"{folder}: config.json is missing beside the safetensors weights", ex.Message);
    }

    [SkippableFact]
    public void Stories260KBinOpensAsLlama2c()
    {
        using var ckpt = LlamaCheckpoint.Open(SharedData.Path("models/stories260K/stories260K.bin"));
        Assert.Equal(CheckpointFormat.Llama2c, ckpt.Format);
        Assert.Equal(Llama2cCheckpointTests.Stories260K, ckpt.Config);
        Assert.Equal(260032, WeightLayout.ParameterCount(ckpt.Config));
    }
}
