// The GGUF exporter's contract apart from llama.cpp: a GGUF input (its own tokenizer.ggml.* reused)
// re-exports to the same bytes; bad requests fail with one clear message and leave nothing behind
// (unsupported quantisation, a tokenizer that does not fit the model, a non-empty output, a
// non-finite weight found half-way through the tensors).
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Export.Tests.Gguf;

public class GgufExportTests
{
    private static readonly LlamaConfig Tiny = new()
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, VocabSize = 512, MaxPositionEmbeddings = 64,
    };

    private static GgufVocabulary Tok512(LlamaConfig c) => GgufVocabulary.FromSentencePiece(Stories260K.TokenizerPath, c);

    [SkippableFact]
    public void GgufInputReExportsToTheSameBytes()
    {
        var first = Stories260KGguf.Path(GgufQuant.F32);
        using var ckpt = LlamaCheckpoint.Open(first);
        using var dir = new TempDir();
        var vocabulary = GgufVocabulary.Find(first, null, ckpt.Config); // the file's own tokenizer.ggml.*
        Assert.Equal(first, vocabulary.Source);
        var again = GgufLlamaExport.Export(dir.File("again.gguf"), ckpt.Config, ckpt.Weights, vocabulary, new GgufExportOptions { Name = "stories260K" });
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(again));
    }

    /// <summary>
    /// llama-2-tiny-random.gguf (MANIFEST §1.4) was written by llama.cpp's converter (F16): exporting it again at f16
    /// gives every one of its tensors under the same name, type and dims with the same bytes (q/k rows included: our
    /// reader's un-permutation and our writer's permutation compose to the identity), and every metadata key it has
    /// with the same GGUF type and value.
    /// </summary>
    [SkippableFact]
    public void ConverterWrittenFileIsReproducedTensorForTensor()
    {
        var reference = SharedData.Path("models/llama-2-tiny-random-gguf/llama-2-tiny-random.gguf");
        using var dir = new TempDir();
        string ours;
        using (var ckpt = LlamaCheckpoint.Open(reference))
            ours = GgufLlamaExport.Export(dir.File("ours.gguf"), ckpt.Config, ckpt.Weights, GgufVocabulary.Find(reference, null, ckpt.Config),
                new GgufExportOptions { Quant = GgufQuant.F16, Name = "LLaMA v2" });
        using var a = GgufFile.Open(reference);
        using var b = GgufFile.Open(ours);
        Assert.Equal(a.GgufTensors.Select(t => t.Name).Order(), b.GgufTensors.Select(t => t.Name).Order());
        foreach (var t in a.GgufTensors)
        {
            var u = b.Find(t.Name);
            Assert.Equal(t.GgmlType, u.GgmlType);
            Assert.Equal(t.Dims, u.Dims);
            Assert.True(a.ReadBytes(t.Name).AsSpan().SequenceEqual(b.ReadBytes(t.Name)), $"tensor '{t.Name}' bytes differ");
        }
        foreach (var key in a.MetadataKeys)
        {
            Assert.True(b.Metadata.ContainsKey(key), $"our file lacks '{key}'");
            Assert.Equal(a.Metadata[key].GetType(), b.Metadata[key].GetType());
            Assert.Equal(a.Metadata[key], b.Metadata[key]);
        }
    }

    [SkippableFact]
    public void FolderOutputHoldsModelGguf()
    {
        using var dir = new TempDir();
        var path = GgufLlamaExport.Export(dir.File("out"), Tiny, TinyLlama.Create(Tiny, 3), Tok512(Tiny), new GgufExportOptions { Quant = GgufQuant.F16 });
        Assert.Equal(Path.Combine(dir.File("out"), GgufLlamaExport.FileName), path);
        Assert.Equal([GgufLlamaExport.FileName], Directory.GetFiles(dir.File("out")).Select(Path.GetFileName));
        using var back = LlamaCheckpoint.Open(path);
        Assert.Equal(Tiny, back.Config); // untied: the head comes back from output.weight
        Assert.Equal(DType.F16, back.Weights.Info(WeightLayout.LmHead).DType);
    }

    [SkippableFact]
    public void VocabularyThatDoesNotFitTheModelIsRefused()
    {
        var llama2 = SharedData.Path("tokenizers/llama2/tokenizer.model");
        var e = Assert.Throws<Med42Exception>(() => GgufVocabulary.Find(Stories260K.ModelPath, llama2, Tiny));
        Assert.Equal($"{llama2}: tokenizer has 32000 tokens but the model's vocab_size is 512", e.Message);
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokenizer.json"), "{}");
        e = Assert.Throws<Med42Exception>(() => GgufVocabulary.Find(dir.File("model.bin"), null, Tiny));
        Assert.Contains("missing tokenizer: GGUF export needs a SentencePiece tokenizer.model", e.Message);
    }

    [SkippableFact]
    public void NonEmptyOutputIsRefusedUnlessForced()
    {
        using var dir = new TempDir();
        var weights = TinyLlama.Create(Tiny, 1);
        File.WriteAllText(dir.File("taken.gguf"), "keep me");
        var e = Assert.Throws<Med42Exception>(() => GgufLlamaExport.Export(dir.File("taken.gguf"), Tiny, weights, Tok512(Tiny), new GgufExportOptions()));
        Assert.Equal($"{dir.File("taken.gguf")}: output file exists and is not empty (pass --force to replace it)", e.Message);
        Assert.Equal("keep me", File.ReadAllText(dir.File("taken.gguf")));
        Directory.CreateDirectory(dir.File("full"));
        File.WriteAllText(Path.Combine(dir.File("full"), "x"), "x");
        Assert.Contains("output folder exists and is not empty", Assert.Throws<Med42Exception>(
            () => GgufLlamaExport.Export(dir.File("full"), Tiny, weights, Tok512(Tiny), new GgufExportOptions())).Message);

        GgufLlamaExport.Export(dir.File("taken.gguf"), Tiny, weights, Tok512(Tiny), new GgufExportOptions { Force = true });
        using var back = LlamaCheckpoint.Open(dir.File("taken.gguf"));
        Assert.Equal(weights.ReadFloat32(WeightLayout.FinalNorm), back.Weights.ReadFloat32(WeightLayout.FinalNorm));
    }

    [SkippableFact]
    public void NonFiniteWeightLeavesNothingBehind()
    {
        using var dir = new TempDir();
        var bad = new InMemoryTensorStore("<bad>");
        var norm = Enumerable.Repeat(1f, Tiny.HiddenSize).ToArray();
        norm[5] = float.NaN;
        bad.AddFloat(WeightLayout.FinalNorm, [Tiny.HiddenSize], norm); // written after every other tensor
        var weights = new OverlayTensorStore(bad, TinyLlama.Create(Tiny, 1));
        foreach (var output in new[] { dir.File("model.gguf"), dir.File("folder") })
        {
            var e = Assert.Throws<Med42Exception>(() => GgufLlamaExport.Export(output, Tiny, weights, Tok512(Tiny), new GgufExportOptions()));
            Assert.Equal($"<bad> + <tiny llama seed 1>: tensor '{WeightLayout.FinalNorm}': element 5 is NaN: refusing to export a non-finite weight", e.Message);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path)); // no output, no temporary sibling
    }
}
