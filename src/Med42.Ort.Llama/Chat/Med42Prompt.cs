// The Med42 prompt format's fixed parts, shared by training (Training.Data.ChatTemplate renders samples),
// chat, and the exporters that write a chat template (GGUF tokenizer.chat_template).
namespace Med42.Ort.Llama.Chat;

public static class Med42Prompt
{
    /// <summary>The system line Med42 was trained with (used when a conversation brings none).</summary>
    public const string DefaultSystem = "You are a helpful medical assistant created by M42 Health in the UAE.";
}
