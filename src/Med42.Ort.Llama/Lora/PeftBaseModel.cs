// base_model_name_or_path for a PEFT adapter: PEFT (AutoPeftModelForCausalLM, PeftModel) passes it to
// from_pretrained, which needs a Hugging Face folder or hub id. An HF folder or name the user gave is
// recorded as given; a single-file checkpoint (llama2.c .bin, .gguf) is first written as an HF folder
// (base_model/, with the tokenizer) and its full path is recorded, so the adapter loads from anywhere.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Checkpoints;

namespace Med42.Ort.Llama.Lora;

public static class PeftBaseModel
{
    public const string FolderName = "base_model";

    /// <summary>True when <paramref name="model"/> is a single file PEFT cannot load.</summary>
    public static bool NeedsHfFolder(string model) => File.Exists(model);

    /// <summary>
    /// The name to record for <paramref name="model"/>. For a single-file checkpoint, writes the HF folder
    /// <paramref name="hfFolder"/> from <paramref name="weights"/> (float32) first and returns its full path.
    /// </summary>
    public static string Resolve(string model, string hfFolder, LlamaConfig config, ITensorStore weights,
        string? tokenizerSource, string? chatTemplate, bool overwrite)
    {
        if (!NeedsHfFolder(model)) return model;
        HfFolderWriter.Save(hfFolder, config, weights, DType.F32, tokenizerSource: tokenizerSource, overwrite: overwrite, chatTemplate: chatTemplate);
        return Path.GetFullPath(hfFolder);
    }
}
