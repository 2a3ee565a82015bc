// Completes the tokenizer of a Hugging Face folder being written: copies the tokenizer files the source
// has (a SentencePiece .model under any name becomes tokenizer.model), derives the missing ones —
// tokenizer.json, tokenizer_config.json, special_tokens_map.json — from tokenizer.model (HfTokenizerJson,
// transformers' LlamaConverter layout), and puts the chat template into tokenizer_config.json when it
// has none. Files the source brings are never replaced. Test: tests/Med42.Ort.Export.Tests/Hf/HfOutputTests.cs.
using System.Text.Json;
using System.Text.Json.Nodes;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tokenizers;

namespace Med42.Ort.Llama.Checkpoints;

public static class HfTokenizerFolder
{
    public const string SentencePieceFile = "tokenizer.model";
    public static readonly string[] Files = [SentencePieceFile, HfTokenizerJson.TokenizerFile, HfTokenizerJson.ConfigFile, HfTokenizerJson.SpecialTokensFile];

    /// <summary>Writes the tokenizer files into <paramref name="destDir"/> from <paramref name="source"/> (a file or folder).</summary>
    public static void Write(string source, string destDir, int vocabSize, int modelMaxLength, string? chatTemplate)
    {
        Copy(source, destDir, vocabSize);
        var spm = Path.Combine(destDir, SentencePieceFile);
        if (File.Exists(spm) && Files.Skip(1).Any(f => !File.Exists(Path.Combine(destDir, f)))) Derive(spm, destDir, modelMaxLength, chatTemplate);
        if (chatTemplate is not null) AddChatTemplate(Path.Combine(destDir, HfTokenizerJson.ConfigFile), chatTemplate);
    }

    private static void Copy(string source, string destDir, int vocabSize)
    {
        string folder;
        if (File.Exists(source))
        {
            folder = Path.GetDirectoryName(Path.GetFullPath(source))!;
            var name = Path.GetFileName(source);
            // A SentencePiece model under another name (tok512.model) becomes tokenizer.model.
            var target = name.EndsWith(".model", StringComparison.OrdinalIgnoreCase) ? SentencePieceFile
                : Files.Contains(name) ? name : null;
            if (target is null) throw new Med42Exception($"{source}: not a tokenizer file ({string.Join(", ", Files)} or a SentencePiece .model)");
            File.Copy(source, Path.Combine(destDir, target), overwrite: true);
        }
        else if (Directory.Exists(source))
        {
            folder = source;
            // llama2.c folders name the SentencePiece model after its vocabulary (tok512.model).
            var named = Path.Combine(folder, $"tok{vocabSize}.model");
            if (!File.Exists(Path.Combine(folder, SentencePieceFile)) && File.Exists(named)) File.Copy(named, Path.Combine(destDir, SentencePieceFile));
        }
        else throw new Med42Exception($"{source}: tokenizer source not found");
        foreach (var f in Files)
        {
            var path = Path.Combine(folder, f);
            if (File.Exists(path) && !File.Exists(Path.Combine(destDir, f))) File.Copy(path, Path.Combine(destDir, f));
        }
    }

    // The HF files are derived into a scratch folder and only the missing ones move in.
    private static void Derive(string spm, string destDir, int modelMaxLength, string? chatTemplate)
    {
        var scratch = Path.Combine(destDir, ".tokenizer-derive");
        try
        {
            try
            {
                HfTokenizerJson.Write(SentencePieceModel.Load(spm), scratch, new HfTokenizerOptions { ModelMaxLength = modelMaxLength, ChatTemplate = chatTemplate });
            }
            catch (ArgumentException e)
            {
                throw new Med42Exception($"{spm}: cannot derive tokenizer.json: {e.Message}");
            }
            foreach (var f in Files.Skip(1))
                if (!File.Exists(Path.Combine(destDir, f))) File.Move(Path.Combine(scratch, f), Path.Combine(destDir, f));
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    private static void AddChatTemplate(string configPath, string chatTemplate)
    {
        if (!File.Exists(configPath)) return;
        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllBytes(configPath)) as JsonObject
                ?? throw new Med42Exception($"{configPath}: line 1: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new Med42Exception($"{configPath}: line {(e.LineNumber ?? 0) + 1}: invalid JSON: {e.Message}");
        }
        if (config.ContainsKey("chat_template")) return; // the source's own template wins
        config["chat_template"] = chatTemplate;
        File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
    }
}
