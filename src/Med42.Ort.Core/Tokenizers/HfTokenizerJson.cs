// Writes the Hugging Face tokenizer files for a Llama SentencePiece BPE model — tokenizer.json
// (BPE, byte_fallback, fuse_unk, merges as transformers' LlamaConverter derives them),
// tokenizer_config.json and special_tokens_map.json — the files ORT GenAI and HF users load;
// and reads tokenizer.json back as an ITextTokenizer (HfBpeTokenizer). Layout follows
// meta-llama/Llama-2-7b-hf's tokenizer.json. Test: tests/Med42.Ort.Core.Tests/Tokenizers/HfTokenizerJsonTests.cs.
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;

namespace Med42.Ort.Core.Tokenizers;

public sealed record HfTokenizerOptions
{
    /// <summary>tokenizer_config.json model_max_length (the context length users may feed).</summary>
    public int ModelMaxLength { get; init; } = 4096;
    /// <summary>tokenizer_config.json "legacy" (Meta's Llama-2 files say false).</summary>
    public bool Legacy { get; init; }
    /// <summary>tokenizer_config.json chat_template (Jinja); omitted when null.</summary>
    public string? ChatTemplate { get; init; }
}

public static class HfTokenizerJson
{
    public const string TokenizerFile = "tokenizer.json";
    public const string ConfigFile = "tokenizer_config.json";
    public const string SpecialTokensFile = "special_tokens_map.json";

    /// <summary>Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into <paramref name="folder"/> (each via a temp file and rename).</summary>
    public static void Write(SentencePieceModel model, string folder, HfTokenizerOptions? options = null)
    {
        options ??= new HfTokenizerOptions();
        if (model.ModelType != SentencePieceModelType.Bpe) throw new ArgumentException($"only BPE SentencePiece models convert to a BPE tokenizer.json (got {model.ModelType})", nameof(model));
        if (!model.ByteFallback) throw new ArgumentException("the SentencePiece model has byte_fallback off; the Llama tokenizer.json layout needs it", nameof(model));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in model.Pieces)
            if (!seen.Add(p.Piece)) throw new ArgumentException($"duplicate piece '{p.Piece}': a tokenizer.json vocab cannot hold it", nameof(model));
        Directory.CreateDirectory(folder);
        var unk = model.Pieces[model.UnkId].Piece;
        var bos = model.Pieces[model.BosId].Piece;
        var eos = model.Pieces[model.EosId].Piece;
        WriteAtomically(Path.Combine(folder, TokenizerFile), w => WriteTokenizer(w, model, unk, bos));
        WriteAtomically(Path.Combine(folder, ConfigFile), w => WriteConfig(w, model, options, unk, bos, eos));
        WriteAtomically(Path.Combine(folder, SpecialTokensFile), w =>
        {
            w.WriteStartObject();
            w.WriteString("bos_token", bos);
            w.WriteString("eos_token", eos);
            w.WriteString("unk_token", unk);
            w.WriteEndObject();
        });
    }

    /// <summary>Reads tokenizer.json (a file, or a folder holding one).</summary>
    public static HfBpeTokenizer Load(string path) =>
        HfBpeTokenizer.Load(Directory.Exists(path) ? Path.Combine(path, TokenizerFile) : path);

    private static bool IsSpecial(SentencePiece p) => p.Type is PieceType.Control or PieceType.Unknown;

    // One JSON document in the key order HF's tokenizers writes (normalizer, pre_tokenizer, post_processor, decoder,
    // model); its length is that schema's.
    private static void WriteTokenizer(Utf8JsonWriter w, SentencePieceModel model, string unk, string bos)
    {
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        for (var i = 0; i < model.Pieces.Count; i++)
        {
            if (!IsSpecial(model.Pieces[i])) continue;
            w.WriteStartObject();
            w.WriteNumber("id", i);
            w.WriteString("content", model.Pieces[i].Piece);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("normalizer");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("normalizers");
        if (model.RemoveExtraWhitespaces)
        {
            // SentencePiece's remove_extra_whitespaces (tok512 sets it; Llama-2 does not): drop leading and
            // trailing spaces, collapse runs of spaces. transformers' LlamaConverter ignores the flag; we keep
            // the ids equal to SentencePiece's. Only ' ' counts as whitespace there, hence these patterns.
            WriteReplace(w, "^ +| +$", "", regex: true);
            WriteReplace(w, " {2,}", " ", regex: true);
        }
        if (model.AddDummyPrefix)
        {
            w.WriteStartObject();
            w.WriteString("type", "Prepend");
            w.WriteString("prepend", SentencePieceModel.SpaceMarker);
            w.WriteEndObject();
        }
        WriteReplace(w, " ", SentencePieceModel.SpaceMarker);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNull("pre_tokenizer");

        w.WriteStartObject("post_processor");
        w.WriteString("type", "TemplateProcessing");
        w.WriteStartArray("single");
        WriteTemplatePiece(w, "SpecialToken", bos, 0);
        WriteTemplatePiece(w, "Sequence", "A", 0);
        w.WriteEndArray();
        w.WriteStartArray("pair");
        WriteTemplatePiece(w, "SpecialToken", bos, 0);
        WriteTemplatePiece(w, "Sequence", "A", 0);
        WriteTemplatePiece(w, "SpecialToken", bos, 1);
        WriteTemplatePiece(w, "Sequence", "B", 1);
        w.WriteEndArray();
        w.WriteStartObject("special_tokens");
        w.WriteStartObject(bos);
        w.WriteString("id", bos);
        w.WriteStartArray("ids");
        w.WriteNumberValue(model.BosId);
        w.WriteEndArray();
        w.WriteStartArray("tokens");
        w.WriteStringValue(bos);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartObject("decoder");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("decoders");
        WriteReplace(w, SentencePieceModel.SpaceMarker, " ");
        w.WriteStartObject();
        w.WriteString("type", "ByteFallback");
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("type", "Fuse");
        w.WriteEndObject();
        if (model.AddDummyPrefix)
        {
            w.WriteStartObject();
            w.WriteString("type", "Strip");
            w.WriteString("content", " ");
            w.WriteNumber("start", 1);
            w.WriteNumber("stop", 0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteString("unk_token", unk);
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", true);
        w.WriteBoolean("byte_fallback", true);
        w.WriteBoolean("ignore_merges", false);
        w.WriteStartObject("vocab");
        for (var i = 0; i < model.Pieces.Count; i++) w.WriteNumber(model.Pieces[i].Piece, i);
        w.WriteEndObject();
        // "left right" strings: the format every tokenizers version and onnxruntime-extensions read.
        // SentencePiece pieces never hold a plain space (it is normalised to ▁), so the split is unambiguous.
        w.WriteStartArray("merges");
        foreach (var (l, r) in HfMerges.FromPieces(model.Pieces)) w.WriteStringValue(l + " " + r);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteConfig(Utf8JsonWriter w, SentencePieceModel model, HfTokenizerOptions options, string unk, string bos, string eos)
    {
        w.WriteStartObject();
        w.WriteBoolean("add_bos_token", true);
        if (options.ChatTemplate is { } template) w.WriteString("chat_template", template);
        w.WriteBoolean("add_eos_token", false);
        w.WriteStartObject("added_tokens_decoder");
        for (var i = 0; i < model.Pieces.Count; i++)
        {
            if (!IsSpecial(model.Pieces[i])) continue;
            w.WriteStartObject(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("content", model.Pieces[i].Piece);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteString("bos_token", bos);
        w.WriteString("eos_token", eos);
        w.WriteString("unk_token", unk);
        w.WriteNull("pad_token");
        w.WriteBoolean("clean_up_tokenization_spaces", false);
        w.WriteBoolean("legacy", options.Legacy);
        w.WriteNumber("model_max_length", options.ModelMaxLength);
        w.WriteStartObject("sp_model_kwargs");
        w.WriteEndObject();
        w.WriteString("tokenizer_class", "LlamaTokenizer");
        w.WriteEndObject();
    }

    private static void WriteReplace(Utf8JsonWriter w, string from, string to, bool regex = false)
    {
        w.WriteStartObject();
        w.WriteString("type", "Replace");
        w.WriteStartObject("pattern");
        w.WriteString(regex ? "Regex" : "String", from);
        w.WriteEndObject();
        w.WriteString("content", to);
        w.WriteEndObject();
    }

    private static void WriteTemplatePiece(Utf8JsonWriter w, string kind, string id, int typeId)
    {
        w.WriteStartObject();
        w.WriteStartObject(kind);
        w.WriteString("id", id);
        w.WriteNumber("type_id", typeId);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    internal static void WriteAtomically(string path, Action<Utf8JsonWriter> write) => AtomicFile.Write(path, stream =>
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        write(w);
    });
}
