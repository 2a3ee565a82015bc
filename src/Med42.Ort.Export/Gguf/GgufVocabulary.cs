// The tokenizer.ggml.* metadata of a llama GGUF (llama.cpp's SentencePiece "llama" vocabulary), as
// convert_hf_to_gguf.py's _set_vocab_sentencepiece + SpecialVocab write it: pieces with "▁" kept,
// scores, token types (SentencePiece's type numbers, which are llama.cpp's llama_token_type), the
// special ids and add_bos / add_eos. Sources: a SentencePiece tokenizer.model (BPE, as llama.cpp's
// tokenizer implements only that), or the metadata of a GGUF being re-exported.
// A vocabulary whose size differs from the model's vocab_size is refused (the converter would pad
// with [PAD] tokens, which hides a wrong tokenizer). Tests: tests/Med42.Ort.Export.Tests/Gguf/.
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Export.Gguf;

public sealed record GgufVocabulary
{
    public required string Source { get; init; }
    public required IReadOnlyList<string> Tokens { get; init; }
    public required IReadOnlyList<float> Scores { get; init; }
    public required IReadOnlyList<int> TokenTypes { get; init; }
    public required int BosId { get; init; }
    public required int EosId { get; init; }
    public required int UnkId { get; init; }
    public int? PadId { get; init; }
    public bool AddBos { get; init; } = true;
    public bool AddEos { get; init; }
    public bool AddSpacePrefix { get; init; } = true;

    /// <summary>
    /// The vocabulary for <paramref name="modelPath"/>: <paramref name="explicitPath"/> when given (a .model, a folder
    /// holding one, or a .gguf), else the GGUF model's own tokenizer.ggml.*, else tokenizer.model / tok{V}.model beside the model.
    /// </summary>
    public static GgufVocabulary Find(string modelPath, string? explicitPath, LlamaConfig config)
    {
        var path = explicitPath ?? modelPath;
        if (File.Exists(path) && (path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || IsGguf(path)))
        {
            using var gguf = GgufFile.Open(path);
            if (gguf.Metadata.ContainsKey("tokenizer.ggml.tokens") || explicitPath is not null) return FromGguf(gguf, config);
        }
        if (explicitPath is not null && File.Exists(explicitPath))
            return explicitPath.EndsWith(".model", StringComparison.OrdinalIgnoreCase) ? FromSentencePiece(explicitPath, config)
                : throw new Med42Exception($"{explicitPath}: GGUF export needs a SentencePiece .model tokenizer (or a .gguf carrying tokenizer.ggml.*)");
        var dir = explicitPath ?? (Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        var found = new[] { "tokenizer.model", $"tok{config.VocabSize}.model" }.Select(n => Path.Combine(dir, n)).FirstOrDefault(File.Exists)
            ?? throw new Med42Exception($"{dir}: missing tokenizer: GGUF export needs a SentencePiece tokenizer.model (or tok{config.VocabSize}.model) here, or --tokenizer");
        return FromSentencePiece(found, config);
    }

    private static bool IsGguf(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> magic = stackalloc byte[4];
        return fs.Read(magic) == 4 && magic.SequenceEqual("GGUF"u8);
    }

    /// <summary>From a SentencePiece ModelProto; special ids from the model's config where it has them (as SpecialVocab reads config.json).</summary>
    public static GgufVocabulary FromSentencePiece(string path, LlamaConfig config)
    {
        var sp = SentencePieceModel.Load(path);
        if (sp.ModelType != SentencePieceModelType.Bpe)
            throw new Med42Exception($"{path}: SentencePiece model type is {sp.ModelType}; llama.cpp's 'llama' tokenizer implements BPE only");
        return new GgufVocabulary
        {
            Source = path,
            Tokens = [.. sp.Pieces.Select(p => p.Piece)],
            Scores = [.. sp.Pieces.Select(p => p.Score)],
            TokenTypes = [.. sp.Pieces.Select(p => (int)p.Type)],
            BosId = config.BosTokenId,
            EosId = config.EosTokenId,
            UnkId = sp.UnkId,
            PadId = config.PadTokenId ?? (sp.PadId >= 0 ? sp.PadId : null),
            AddSpacePrefix = sp.AddDummyPrefix,
        }.Checked(config);
    }

    /// <summary>The vocabulary a GGUF already carries (re-export of a GGUF model).</summary>
    public static GgufVocabulary FromGguf(GgufFile file, LlamaConfig config)
    {
        var model = file.Get<string>("tokenizer.ggml.model");
        if (model != "llama") throw Med42Exception.At(file.Source, "metadata 'tokenizer.ggml.model'", $"tokenizer '{model}' is not supported (only 'llama', SentencePiece)");
        int Id(string key, int fallback) => (int)(file.GetInteger(key) ?? fallback);
        bool Flag(string key, bool fallback) => file.Metadata.TryGetValue(key, out var v) ? v is bool b ? b
            : throw Med42Exception.At(file.Source, $"metadata '{key}'", $"expected a bool, got {v.GetType().Name}") : fallback;
        var tokens = file.Get<string[]>("tokenizer.ggml.tokens");
        return new GgufVocabulary
        {
            Source = file.Source,
            Tokens = tokens,
            Scores = file.Metadata.ContainsKey("tokenizer.ggml.scores") ? file.Get<float[]>("tokenizer.ggml.scores") : new float[tokens.Length],
            TokenTypes = file.Metadata.ContainsKey("tokenizer.ggml.token_type") ? file.Get<int[]>("tokenizer.ggml.token_type") : Enumerable.Repeat(1, tokens.Length).ToArray(),
            BosId = Id("tokenizer.ggml.bos_token_id", config.BosTokenId),
            EosId = Id("tokenizer.ggml.eos_token_id", config.EosTokenId),
            UnkId = Id("tokenizer.ggml.unknown_token_id", 0),
            PadId = file.GetInteger("tokenizer.ggml.padding_token_id") is { } pad ? (int)pad : null,
            AddBos = Flag("tokenizer.ggml.add_bos_token", true),
            AddEos = Flag("tokenizer.ggml.add_eos_token", false),
            AddSpacePrefix = Flag("tokenizer.ggml.add_space_prefix", true),
        }.Checked(config);
    }

    /// <summary>Throws naming the source unless the vocabulary fits <paramref name="config"/>.</summary>
    public GgufVocabulary Checked(LlamaConfig config)
    {
        if (Tokens.Count != config.VocabSize)
            throw new Med42Exception($"{Source}: tokenizer has {Tokens.Count} tokens but the model's vocab_size is {config.VocabSize}");
        if (Scores.Count != Tokens.Count || TokenTypes.Count != Tokens.Count)
            throw new Med42Exception($"{Source}: {Tokens.Count} tokens but {Scores.Count} scores and {TokenTypes.Count} token types");
        foreach (var (name, id) in new[] { ("bos", BosId), ("eos", EosId), ("unknown", UnkId), ("padding", PadId ?? 0) })
            if (id < 0 || id >= Tokens.Count) throw new Med42Exception($"{Source}: {name} token id {id} is outside the vocabulary (0..{Tokens.Count - 1})");
        if (Scores.Any(s => !float.IsFinite(s))) throw new Med42Exception($"{Source}: a token score is not finite");
        if (TokenTypes.Any(t => t is < 1 or > 6)) throw new Med42Exception($"{Source}: a token type is outside 1..6 (normal, unknown, control, user-defined, unused, byte)");
        return this;
    }

    /// <summary>Adds the tokenizer.ggml.* keys (and the chat template when given).</summary>
    public void AddTo(GgufMetadata m, string? chatTemplate)
    {
        m.String("tokenizer.ggml.model", "llama")
            .Strings("tokenizer.ggml.tokens", Tokens)
            .F32s("tokenizer.ggml.scores", Scores)
            .I32s("tokenizer.ggml.token_type", TokenTypes)
            .U32("tokenizer.ggml.bos_token_id", (uint)BosId)
            .U32("tokenizer.ggml.eos_token_id", (uint)EosId)
            .U32("tokenizer.ggml.unknown_token_id", (uint)UnkId);
        if (PadId is { } pad) m.U32("tokenizer.ggml.padding_token_id", (uint)pad);
        m.Bool("tokenizer.ggml.add_bos_token", AddBos)
            .Bool("tokenizer.ggml.add_eos_token", AddEos)
            .Bool("tokenizer.ggml.add_space_prefix", AddSpacePrefix);
        if (chatTemplate is not null) m.String("tokenizer.chat_template", chatTemplate);
    }
}
