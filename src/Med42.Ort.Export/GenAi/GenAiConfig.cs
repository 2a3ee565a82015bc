// genai_config.json for a Llama decoder, in the layout ONNX Runtime GenAI's model builder writes
// (onnxruntime docs/genai/reference/config.md; onnxruntime-genai src/python/py/models/builder.py):
// model.{type, bos/eos/pad ids, context_length, vocab_size, decoder{filename, head_size, hidden_size,
// num_attention_heads, num_key_value_heads, num_hidden_layers, inputs, outputs, session_options}} and search.
using System.Text.Json;
using Med42.Ort.Core.IO;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Graphs;

namespace Med42.Ort.Export.GenAi;

public static class GenAiConfig
{
    public const string FileName = "genai_config.json";

    // One JSON document written in GenAI's key order; its length is the schema's.
    /// <param name="extraStopIds">Stop ids besides EOS (llama2.c models end a story with BOS); written as an eos_token_id array.</param>
    public static void Write(string path, LlamaConfig c, string modelFile, bool pastPresentShareBuffer, IReadOnlyList<int>? extraStopIds = null)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteStartObject("model");
            w.WriteNumber("bos_token_id", c.BosTokenId);
            w.WriteNumber("context_length", c.MaxPositionEmbeddings);
            w.WriteStartObject("decoder");
            w.WriteStartObject("session_options");
            w.WriteString("log_id", "onnxruntime-genai");
            w.WriteStartArray("provider_options");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString("filename", modelFile);
            w.WriteNumber("head_size", c.HeadDim);
            w.WriteNumber("hidden_size", c.HiddenSize);
            w.WriteStartObject("inputs");
            w.WriteString("input_ids", "input_ids");
            w.WriteString("attention_mask", "attention_mask");
            w.WriteString("position_ids", "position_ids");
            w.WriteString("past_key_names", LlamaGraph.PastKey(0).Replace(".0.", ".%d.", StringComparison.Ordinal));
            w.WriteString("past_value_names", LlamaGraph.PastValue(0).Replace(".0.", ".%d.", StringComparison.Ordinal));
            w.WriteEndObject();
            w.WriteStartObject("outputs");
            w.WriteString("logits", "logits");
            w.WriteString("present_key_names", LlamaGraph.PresentKey(0).Replace(".0.", ".%d.", StringComparison.Ordinal));
            w.WriteString("present_value_names", LlamaGraph.PresentValue(0).Replace(".0.", ".%d.", StringComparison.Ordinal));
            w.WriteEndObject();
            w.WriteNumber("num_attention_heads", c.NumAttentionHeads);
            w.WriteNumber("num_hidden_layers", c.NumHiddenLayers);
            w.WriteNumber("num_key_value_heads", c.NumKeyValueHeads);
            w.WriteEndObject();
            var stops = new[] { c.EosTokenId }.Concat(extraStopIds ?? []).Distinct().ToArray();
            if (stops.Length == 1) w.WriteNumber("eos_token_id", stops[0]);
            else
            {
                w.WriteStartArray("eos_token_id");
                foreach (var id in stops) w.WriteNumberValue(id);
                w.WriteEndArray();
            }
            // Llama-2 has no pad token; GenAI only uses it to left-pad batches, which attention_mask hides.
            w.WriteNumber("pad_token_id", c.PadTokenId ?? c.EosTokenId);
            w.WriteString("type", "llama");
            w.WriteNumber("vocab_size", c.VocabSize);
            w.WriteEndObject();
            w.WriteStartObject("search");
            w.WriteNumber("diversity_penalty", 0.0);
            w.WriteBoolean("do_sample", false);
            w.WriteBoolean("early_stopping", true);
            w.WriteNumber("length_penalty", 1.0);
            w.WriteNumber("max_length", c.MaxPositionEmbeddings);
            w.WriteNumber("min_length", 0);
            w.WriteNumber("no_repeat_ngram_size", 0);
            w.WriteNumber("num_beams", 1);
            w.WriteNumber("num_return_sequences", 1);
            w.WriteBoolean("past_present_share_buffer", pastPresentShareBuffer);
            w.WriteNumber("repetition_penalty", 1.0);
            w.WriteNumber("temperature", 1.0);
            w.WriteNumber("top_k", 1);
            w.WriteNumber("top_p", 1.0);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
