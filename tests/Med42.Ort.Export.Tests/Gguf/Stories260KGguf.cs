// stories260K (../shared/data, MANIFEST §1.1) exported once per quantisation to a scratch folder shared
// by the GGUF tests of this process (deleted at exit), so each test loads a file instead of re-exporting.
using System.Collections.Concurrent;
using Med42.Ort.Export.Gguf;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Export.Tests.Gguf;

internal static class Stories260KGguf
{
    private static readonly Lazy<TempDir> Dir = new(() =>
    {
        var d = new TempDir();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => d.Dispose();
        return d;
    });

    private static readonly ConcurrentDictionary<GgufQuant, Lazy<string>> Files = new();

    /// <summary>The exported file for <paramref name="quant"/> (written on first use).</summary>
    public static string Path(GgufQuant quant) => Files.GetOrAdd(quant, q => new Lazy<string>(() =>
    {
        using var ckpt = LlamaCheckpoint.Open(Stories260K.ModelPath);
        var vocabulary = GgufVocabulary.Find(Stories260K.ModelPath, null, ckpt.Config);
        return GgufLlamaExport.Export(Dir.Value.File($"stories260K-{q.ToString().ToLowerInvariant()}.gguf"), ckpt.Config, ckpt.Weights, vocabulary,
            new GgufExportOptions { Quant = q, Name = "stories260K" });
    })).Value;
}
