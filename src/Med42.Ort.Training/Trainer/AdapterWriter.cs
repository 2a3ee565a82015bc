// Writes a PEFT LoRA adapter folder: adapter_config.json (PEFT's LoraConfig keys) and
// adapter_model.safetensors with PEFT's tensor names (base_model.model.model.layers.{i}.….lora_A.weight).
// The folder is built under a temporary name and renamed into place.
using System.Text.Json;
using System.Text.Json.Nodes;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama.Lora;

namespace Med42.Ort.Training.Trainer;

public static class AdapterWriter
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";

    public static void Save(string dir, LoraConfig lora, ITensorStore adapter, string baseModelNameOrPath)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            var config = new JsonObject
            {
                ["base_model_name_or_path"] = baseModelNameOrPath,
                ["bias"] = "none",
                ["fan_in_fan_out"] = false,
                ["inference_mode"] = true,
                ["init_lora_weights"] = true,
                ["lora_alpha"] = lora.Alpha,
                ["lora_dropout"] = lora.Dropout,
                ["peft_type"] = "LORA",
                ["r"] = lora.Rank,
                ["target_modules"] = new JsonArray([.. lora.Targets.Select(t => (JsonNode)JsonValue.Create(t)!)]),
                ["task_type"] = "CAUSAL_LM",
            };
            File.WriteAllText(Path.Combine(tmp, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            SafetensorsWriter.Write(Path.Combine(tmp, WeightsFile), adapter, new Dictionary<string, string> { ["format"] = "pt" });
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(tmp, full);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }
}
