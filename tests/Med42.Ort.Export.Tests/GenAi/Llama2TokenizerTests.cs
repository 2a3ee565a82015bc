// The Llama-2 tokenizer.model (32000 pieces) through GenAI: tokenizer.json written by our converter,
// read by ONNX Runtime GenAI's tokenizer (in a tiny random GenAI folder with vocab 32000, since GenAI
// loads a tokenizer only through a model folder), gives the ids of MANIFEST §2.2's reference encodings
// (llama2.c test.c, from Meta's Python tokenizer) and our SentencePiece path, and decodes them back.
using System.Text.RegularExpressions;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Export.GenAi;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Tests.Shared;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Med42.Ort.Export.Tests.GenAi;

public class Llama2TokenizerTests
{
    private static readonly LlamaConfig Tiny32000 = new()
    {
        HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 2, VocabSize = 32000, MaxPositionEmbeddings = 64,
    };

    /// <summary>The MANIFEST table rows | `"C string"` | `ids` | (C escapes \n, \", \\ undone).</summary>
    internal static List<(string Text, int[] Ids)> ReferenceEncodings()
    {
        var manifest = File.ReadAllText(SharedData.Path("MANIFEST.md"));
        var rows = Regex.Matches(manifest, "^\\| `\"(.*)\"` \\| `([0-9, ]+)` \\|$", RegexOptions.Multiline)
            .Select(m => (Regex.Unescape(m.Groups[1].Value), m.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries).Select(int.Parse).ToArray()))
            .ToList();
        Assert.Equal(5, rows.Count); // the five strings of llama2.c's test.c
        return rows;
    }

    [SkippableFact]
    public void GenAiTokenizerGivesReferenceIdsAndDecodesBack()
    {
        var spPath = SharedData.Path("tokenizers/llama2/tokenizer.model");
        var references = ReferenceEncodings();
        using var dir = new TempDir();
        var folder = dir.File("genai");
        GenAiFolder.Export(folder, Tiny32000, TinyLlama.Create(Tiny32000, seed: 1), TokenizerSource.Find(dir.File("none.bin"), spPath, Tiny32000), new GenAiExportOptions());
        var sp = TokenizerLoader.Load(spPath);
        using var model = new Model(folder);
        using var tokenizer = new Tokenizer(model);
        foreach (var (text, ids) in references)
        {
            using var seqs = tokenizer.Encode(text);
            var got = seqs[0].ToArray();
            // GenAI 0.18's Encode adds no BOS (see docs/export.md); the reference ids start with BOS = 1.
            Assert.Equal(ids[1..], got);
            Assert.Equal(ids, sp.Encode(text, addBos: true));
            if (text.Length == 0) Assert.Empty(got);
            else Assert.Equal(text, tokenizer.Decode(ids)); // decoding the full sequence (BOS first), as a generator does
        }
    }
}
