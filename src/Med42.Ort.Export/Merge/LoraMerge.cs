// `med42 merge`: base checkpoint + PEFT adapter → a Hugging Face folder holding W + (α/r)·B·A,
// streamed tensor by tensor (MergedTensorStore → HfFolderWriter, temp folder then rename).
using Med42.Ort.Llama.Lora;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.Adapters;
using Med42.Ort.Core.IO;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Chat;

namespace Med42.Ort.Export.Merge;

public static class LoraMerge
{
    public static void Save(string outDir, LlamaConfig config, ITensorStore baseWeights, PeftAdapter adapter, DType dtype,
        string? tokenizerSource = null, bool force = false)
    {
        OutputFolder.CheckWritable(outDir, force);
        PeftAdapter.Validate(config, adapter.Config, adapter.Tensors, adapter.BaseModel);
        using var merged = new MergedTensorStore(config, baseWeights, adapter.Config, adapter.Tensors);
        HfFolderWriter.Save(outDir, config, merged, dtype, tokenizerSource: tokenizerSource, overwrite: force, chatTemplate: Med42ChatTemplate.Jinja);
    }
}
