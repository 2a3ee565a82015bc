// A LoRA adapter as Hugging Face PEFT saves it (peft PeftModel.save_pretrained, LoraConfig):
//   adapter_config.json       {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r", "lora_alpha",
//                              "lora_dropout", "target_modules", "base_model_name_or_path", ...}
//   adapter_model.safetensors base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight [r, in]
//                             … .lora_B.weight [out, r]
// adapter_config.json is read strictly by PeftAdapterConfig; the tensors are checked finite as they are
// read (SafetensorsFile). Read validates the tensors against the base model's config (missing modules, rank and shape
// mismatches are errors naming the tensor). The one PEFT reader/writer: the trainer writes adapters with it, eval and
// export read them. Test: tests/Med42.Ort.Export.Tests/Adapters/PeftAdapterTests.cs.
using System.Text.Json;
using System.Text.RegularExpressions;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.IO;
using Med42.Ort.Llama;

namespace Med42.Ort.Llama.Lora;

public sealed partial class PeftAdapter : IDisposable
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";

    public required LoraConfig Config { get; init; }
    /// <summary>base_model_name_or_path (may be empty).</summary>
    public required string BaseModel { get; init; }
    /// <summary>Adapter tensors under PEFT names (LoraWeights.Name).</summary>
    public required ITensorStore Tensors { get; init; }
    public required string Source { get; init; }

    public void Dispose() => Tensors.Dispose();

    /// <summary>The linear factory applying this adapter on the fly over <paramref name="baseLinear"/> (no merge, no dropout).</summary>
    public LoraLinear Linear(LlamaConfig model, Blocks.ILinearFactory? baseLinear = null) => new(model, Config, useDropout: false, baseLinear);

    // Layer numbers of at most 9 ASCII digits, so int.Parse cannot overflow.
    [GeneratedRegex(@"^base_model\.model\.model\.layers\.(0|[1-9][0-9]{0,8})\.(self_attn|mlp)\.(\w+)\.lora_([AB])\.weight$")]
    private static partial Regex PeftName();

    /// <summary>Reads a PEFT folder and checks it fits <paramref name="model"/> (layers, modules, shapes).</summary>
    public static PeftAdapter Read(string folder, LlamaConfig model)
    {
        var configPath = Path.Combine(folder, ConfigFile);
        var weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(configPath)) throw new Med42Exception($"{folder}: {ConfigFile} is missing (not a PEFT adapter folder)");
        if (!File.Exists(weightsPath)) throw new Med42Exception($"{folder}: {WeightsFile} is missing beside {ConfigFile}");
        var (config, baseModel) = PeftAdapterConfig.Load(configPath);
        var tensors = SafetensorsFile.Open(weightsPath);
        try
        {
            Validate(model, config, tensors, baseModel);
            return new PeftAdapter { Config = config, BaseModel = baseModel, Tensors = tensors, Source = folder };
        }
        catch
        {
            tensors.Dispose();
            throw;
        }
    }

    /// <summary>Every tensor a PEFT name of an existing module with the config's rank; every target complete.</summary>
    public static void Validate(LlamaConfig model, LoraConfig lora, ITensorStore tensors, string baseModel = "")
    {
        var hint = baseModel == "" ? "" : $" (the adapter was trained on '{baseModel}')";
        foreach (var info in tensors.Tensors)
        {
            var m = PeftName().Match(info.Name);
            if (!m.Success) throw Med42Exception.At(tensors.Source, $"tensor '{info.Name}'", "not a PEFT LoRA tensor name (base_model.model.model.layers.N.<self_attn|mlp>.<proj>.lora_A|B.weight)");
            var layer = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var module = m.Groups[3].Value;
            if (layer >= model.NumHiddenLayers || !WeightLayout.AllProjections.Contains(module))
                throw Med42Exception.At(tensors.Source, $"tensor '{info.Name}'", $"adapter for a module the base model does not have (it has {model.NumHiddenLayers} layers, projections {string.Join(", ", WeightLayout.AllProjections)}){hint}");
            if (!lora.Targets.Contains(module))
                throw Med42Exception.At(tensors.Source, $"tensor '{info.Name}'", $"module '{module}' is not in target_modules [{string.Join(", ", lora.Targets)}]");
        }
        foreach (var spec in LoraWeights.For(model, lora))
        {
            if (!tensors.Contains(spec.Name)) throw Med42Exception.At(tensors.Source, $"tensor '{spec.Name}'", "missing (target_modules lists it)");
            var info = tensors.Info(spec.Name);
            if (!info.Shape.SequenceEqual(spec.Shape))
                throw Med42Exception.At(tensors.Source, $"tensor '{spec.Name}'",
                    $"shape {info.ShapeText} does not fit rank {lora.Rank} on the base model (expected [{string.Join(",", spec.Shape)}]){hint}");
            if (!info.DType.IsFloat()) throw Med42Exception.At(tensors.Source, $"tensor '{spec.Name}'", $"dtype {info.DType} is not a float type");
        }
    }

    /// <summary>Writes a PEFT folder (adapter_config.json + adapter_model.safetensors) via a temporary folder.</summary>
    public static void Write(string folder, LlamaConfig model, LoraConfig lora, ITensorStore tensors, string baseModel, bool force = false)
    {
        Validate(model, lora, tensors, baseModel);
        OutputFolder.Write(folder, force, tmp =>
        {
            var sources = LoraWeights.For(model, lora).Select(s => TensorSource.From(tensors, tensors.Info(s.Name))).ToList();
            SafetensorsWriter.Write(Path.Combine(tmp, WeightsFile), sources, new Dictionary<string, string> { ["format"] = "pt" });
            using var stream = File.Create(Path.Combine(tmp, ConfigFile));
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("base_model_name_or_path", baseModel);
            w.WriteString("bias", "none");
            w.WriteBoolean("fan_in_fan_out", false);
            w.WriteBoolean("inference_mode", true);
            w.WriteNumber("lora_alpha", lora.Alpha);
            w.WriteNumber("lora_dropout", lora.Dropout);
            w.WriteString("peft_type", "LORA");
            w.WriteNumber("r", lora.Rank);
            w.WriteStartArray("target_modules");
            foreach (var t in lora.Targets) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteString("task_type", "CAUSAL_LM");
            w.WriteEndObject();
        });
    }
}
