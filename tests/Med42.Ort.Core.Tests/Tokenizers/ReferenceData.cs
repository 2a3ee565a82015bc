// Expected ids copied from ../shared/data/MANIFEST.md §1.1 and §2.2 (karpathy/llama2.c test.c,
// produced by Meta's Python SentencePiece tokenizer) — an independent source, not our own output.
using System.Text.Json;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.Tokenizers;

internal static class ReferenceData
{
    public const string Llama2Model = "tokenizers/llama2/tokenizer.model";
    public const string Llama2Bin = "tokenizers/llama2/tokenizer.bin";
    public const string Tok512Model = "models/stories260K/tok512.model";
    public const string Tok512Bin = "models/stories260K/tok512.bin";

    public static readonly object[][] Llama2 =
    [
        ["", new[] { 1 }],
        ["I believe the meaning of life is", new[] { 1, 306, 4658, 278, 6593, 310, 2834, 338 }],
        ["Simply put, the theory of relativity states that ", new[] { 1, 3439, 17632, 1925, 29892, 278, 6368, 310, 14215, 537, 5922, 393, 29871 }],
        ["A brief message congratulating the team on the launch:\n\n        Hi everyone,\n\n        I just ", new[] { 1, 319, 11473, 2643, 378, 629, 271, 18099, 278, 3815, 373, 278, 6826, 29901, 13, 13, 4706, 6324, 14332, 29892, 13, 13, 4706, 306, 925, 29871 }],
        ["Translate English to French:\n\n        sea otter => loutre de mer\n        peppermint => menthe poivrée\n        plush girafe => girafe peluche\n        cheese =>", new[] { 1, 4103, 9632, 4223, 304, 5176, 29901, 13, 13, 4706, 7205, 4932, 357, 1149, 301, 449, 276, 316, 2778, 13, 4706, 1236, 407, 837, 524, 1149, 6042, 354, 772, 440, 29878, 1318, 13, 4706, 715, 1878, 330, 3055, 1725, 1149, 330, 3055, 1725, 4639, 28754, 13, 4706, 923, 968, 1149 }],
    ];

    public const string Tok512Text = "Once upon a time";
    public static readonly int[] Tok512Ids = [1, 403, 407, 261, 378];

    /// <summary>Strings for round trips: the references, the first 50 MedQA dev questions (32 hold non-ASCII), and byte-fallback cases.</summary>
    public static IEnumerable<string> RoundTripStrings()
    {
        foreach (var row in Llama2) yield return (string)row[0];
        yield return Tok512Text;
        yield return "  leading spaces, trailing  ";
        yield return "emoji 🙂 and 漢字 and Ελληνικά\ttab\r\nCRLF";
        foreach (var q in MedQaQuestions(50)) yield return q;
    }

    /// <summary>
    /// What SentencePiece's remove_extra_whitespaces (set in tok512.model, not in Llama-2's) leaves of <paramref name="s"/>:
    /// leading and trailing ' ' removed, runs of ' ' collapsed to one (sentencepiece normalizer.cc). A naive reference.
    /// </summary>
    public static string WithoutExtraSpaces(string s, bool apply)
    {
        if (!apply) return s;
        var sb = new System.Text.StringBuilder();
        foreach (var c in s.Trim(' '))
            if (c != ' ' || sb.Length == 0 || sb[^1] != ' ') sb.Append(c);
        return sb.ToString();
    }

    public static IEnumerable<string> MedQaQuestions(int count)
    {
        var path = SharedData.Path("medqa/phrases_no_exclude_dev.jsonl");
        foreach (var line in File.ReadLines(path).Take(count))
        {
            using var doc = JsonDocument.Parse(line);
            yield return doc.RootElement.GetProperty("question").GetString()!;
        }
    }
}
