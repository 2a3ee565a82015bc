// Shared helpers for tests on stories260K: the reference texts of ../shared/data/MANIFEST.md §1.1
// (llama2.c's published greedy outputs, never our own output) and greedy generation / perplexity
// through the project's own InferenceSession path.
using System.Text;
using System.Text.RegularExpressions;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Graph.Ir;
using Med42.Ort.Graph.Onnx;
using Med42.Ort.Llama;
using Med42.Ort.Runtime;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Export.Tests;

internal static class Stories260K
{
    public static string ModelPath => SharedData.Path("models/stories260K/stories260K.bin");
    public static string TokenizerPath => SharedData.Path("models/stories260K/tok512.model");

    /// <summary>MANIFEST §1.1 text (b): `./run stories260K.bin -z tok512.bin -t 0.0` (256 steps, no prompt).</summary>
    public static string TextB() => ManifestBlock(1);

    /// <summary>MANIFEST §1.1 text (a): `./run stories260K.bin -z tok512.bin -t 0.0 -n 200`, a Python bytes literal there (escapes undone here).</summary>
    public static string TextA()
    {
        var body = ManifestBlock(0).Trim()[2..^1];
        return Regex.Replace(body, @"\\(n|'|""|\\)", m => m.Groups[1].Value switch { "n" => "\n", var c => c });
    }

    private static string ManifestBlock(int index)
    {
        var text = File.ReadAllText(SharedData.Path("MANIFEST.md"));
        var section = text[text.IndexOf("#### Reference greedy generations", StringComparison.Ordinal)..];
        return Regex.Matches(section, "```\n(.*?)\n```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ElementAt(index);
    }

    public static DecoderSession Session(LlamaConfig config, IrGraph graph) =>
        new(new SessionSettings().CreateSession(OnnxExport.ToBytes(graph)), config);

    /// <summary>Greedy ids (BOS first) as llama2.c runs them: stop at BOS or after <paramref name="steps"/> forward passes.</summary>
    public static List<int> Greedy(DecoderSession session, IReadOnlyList<int> prompt, int steps) =>
        new Generator(session).Generate([prompt], new GenerationOptions { Steps = steps, StopIds = new HashSet<int> { 1 } })[0];

    /// <summary>What llama2.c prints for <paramref name="ids"/> (pieces after BOS, llama2.c's spacing rule).</summary>
    public static string Print(ITextTokenizer tokenizer, IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>();
        for (var i = 1; i < ids.Count; i++) bytes.AddRange(tokenizer.DecodePiece(ids[i - 1], ids[i]));
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>exp(mean −log p(token t+1 | ≤ t)) over <paramref name="ids"/>, in float64 from the session's logits.</summary>
    public static double Perplexity(DecoderSession session, IReadOnlyList<int> ids)
    {
        using var cache = session.NewCache(1);
        var n = ids.Count;
        var logits = session.Forward(ids.Select(t => (long)t).ToArray(), Enumerable.Range(0, n).Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, n).ToArray(), 1, cache);
        var v = session.Config.VocabSize;
        double nll = 0;
        for (var t = 0; t + 1 < n; t++)
        {
            var row = logits.AsSpan(t * v, v);
            double max = double.NegativeInfinity;
            foreach (var x in row) max = Math.Max(max, x);
            double sum = 0;
            foreach (var x in row) sum += Math.Exp(x - max);
            nll -= row[ids[t + 1]] - max - Math.Log(sum);
        }
        return Math.Exp(nll / (n - 1));
    }
}
