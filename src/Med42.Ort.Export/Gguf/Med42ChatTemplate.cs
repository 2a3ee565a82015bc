// The Med42 prompt format (Llama.Chat.Med42Prompt, Training.Data.ChatTemplate, `med42 chat`) as the Jinja chat template
// llama.cpp (--jinja), Ollama and LM Studio read from tokenizer.chat_template:
//   "\n<|system|>: {system}\n<|prompter|>:{prompt}\n<|assistant|>:\n{answer}" ...
// A leading system message replaces the default system prompt; BOS comes from add_bos_token, not the
// template. Rendered with Python's jinja2 (the engine transformers uses) it gives exactly
// ChatCommand.Template's text for one turn (docs/export.md, GGUF section).
namespace Med42.Ort.Export.Gguf;

public static class Med42ChatTemplate
{
    public static string Jinja { get; } =
        "{%- if messages and messages[0]['role'] == 'system' -%}"
        + "{%- set system = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}"
        + "{%- else -%}"
        + "{%- set system = '" + Llama.Chat.Med42Prompt.DefaultSystem + "' -%}{%- set loop_messages = messages -%}"
        + "{%- endif -%}"
        + "{{- '\\n<|system|>: ' + system -}}"
        + "{%- for message in loop_messages -%}"
        + "{%- if message['role'] == 'user' -%}{{- '\\n<|prompter|>:' + message['content'] + '\\n<|assistant|>:\\n' -}}"
        + "{%- elif message['role'] == 'assistant' -%}{{- message['content'] -}}"
        + "{%- endif -%}"
        + "{%- endfor -%}";
}
