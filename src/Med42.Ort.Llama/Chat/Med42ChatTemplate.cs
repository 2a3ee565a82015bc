// The Med42 prompt format of Training.Data.ChatTemplate and `med42 chat` as the Jinja chat_template that
// HF tokenizer_config.json (transformers' apply_chat_template) and GGUF tokenizer.chat_template
// (llama.cpp --jinja, Ollama, LM Studio) carry — one home for every writer:
//   "\n<|system|>: {system}" then per turn "\n<|prompter|>:{user}\n<|assistant|>:\n" and "{answer}".
// A leading system message replaces the default system prompt; BOS comes from add_bos_token, EOS
// ends the generation, neither is template text. Rendered by Python's jinja2 it is byte-identical to
// ChatTemplate.Render's text (tests/Med42.Ort.Export.Tests/Hf/ChatTemplateGoldenTests.cs, golden
// from tools/goldens/chat_template.py).
namespace Med42.Ort.Llama.Chat;

public static class Med42ChatTemplate
{
    public static string Jinja { get; } =
        "{%- if messages and messages[0]['role'] == 'system' -%}"
        + "{%- set system = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}"
        + "{%- else -%}"
        + "{%- set system = '" + Med42Prompt.DefaultSystem + "' -%}{%- set loop_messages = messages -%}"
        + "{%- endif -%}"
        + "{{- '\\n<|system|>: ' + system -}}"
        + "{%- for message in loop_messages -%}"
        + "{%- if message['role'] == 'user' -%}{{- '\\n<|prompter|>:' + message['content'] + '\\n<|assistant|>:\\n' -}}"
        + "{%- elif message['role'] == 'assistant' -%}{{- message['content'] -}}"
        + "{%- endif -%}"
        + "{%- endfor -%}";
}
