// HF weight names → llama.cpp's GGUF tensor names (gguf-py tensor_mapping.py, LLM_ARCH_LLAMA), the
// inverse of GgufLlama.HfName: token_embd, blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output,
// ffn_norm, ffn_gate, ffn_up, ffn_down}, output_norm, output (absent when the embeddings are tied).
// Tests: tests/Med42.Ort.Llama.Tests/Checkpoints/GgufWriterTests.cs.
namespace Med42.Ort.Llama.Checkpoints;

public static class GgufTensorNames
{
    /// <summary>The GGUF name of one weight of <see cref="WeightLayout.For"/>.</summary>
    public static string For(WeightSpec spec) => spec.Kind switch
    {
        WeightKind.Embedding => "token_embd.weight",
        WeightKind.LmHead => "output.weight",
        WeightKind.Norm when spec.Layer < 0 => "output_norm.weight",
        _ => $"blk.{spec.Layer}.{Module(spec.Module)}.weight",
    };

    private static string Module(string module) => module switch
    {
        "input_layernorm" => "attn_norm",
        "post_attention_layernorm" => "ffn_norm",
        "q_proj" => "attn_q",
        "k_proj" => "attn_k",
        "v_proj" => "attn_v",
        "o_proj" => "attn_output",
        "gate_proj" => "ffn_gate",
        "up_proj" => "ffn_up",
        "down_proj" => "ffn_down",
        _ => throw new ArgumentException($"no GGUF name for module '{module}'", nameof(module)),
    };

    /// <summary>Query heads for q_proj, KV heads for k_proj (whose rows the converter re-permutes); 0 otherwise.</summary>
    public static int RotaryHeads(WeightSpec spec, LlamaConfig config) => spec.Module switch
    {
        "q_proj" => config.NumAttentionHeads,
        "k_proj" => config.NumKeyValueHeads,
        _ => 0,
    };
}
