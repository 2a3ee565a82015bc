// The Med42 prompt format of ChatTemplate (training) and `med42 chat`, as the Jinja chat_template that
// HF tokenizer_config.json (transformers' apply_chat_template) and GGUF tokenizer.chat_template
// (llama.cpp --jinja, Ollama, LM Studio) carry — one home for both writers:
//   "\n<|system|>: {system}" then per turn "\n<|prompter|>:{user}\n<|assistant|>:\n" and "{answer}".
// A leading system message replaces the default system prompt; BOS comes from add_bos_token, EOS
// ends the generation, neither is template text. Rendered by Python's jinja2 it is byte-identical to
// ChatTemplate.Render's text (tests/Med42.Ort.Export.Tests/Hf/ChatTemplateGoldenTests.cs, golden
// from tools/goldens/chat_template.py).
namespace Med42.Ort.Training.Data;

public static class Med42ChatTemplate
{
    public static string Jinja { get; } =
        "{%- if messages and messages[0]['role'] == 'system' -%}"
        + "{%- set system = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}"
        + "{%- else -%}"
        + "{%- set system = '" + ChatTemplate.Med42DefaultSystem + "' -%}{%- set loop_messages = messages -%}"
        + "{%- endif -%}"
        + "{{- '\\n<|system|>: ' + system -}}"
        + "{%- for message in loop_messages -%}"
        + "{%- if message['role'] == 'user' -%}{{- '\\n<|prompter|>:' + message['content'] + '\\n<|assistant|>:\\n' -}}"
        + "{%- elif message['role'] == 'assistant' -%}{{- message['content'] -}}"
        + "{%- endif -%}"
        + "{%- endfor -%}";

    /// <summary>The chat_template for a model fine-tuned with <paramref name="kind"/> (none for Llama-2's, which this project does not write as Jinja).</summary>
    public static string? For(TemplateKind kind) => kind == TemplateKind.Med42 ? Jinja : null;
}
