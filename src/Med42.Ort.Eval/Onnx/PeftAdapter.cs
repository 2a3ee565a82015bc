// Opens a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors, as PEFT's
// save_pretrained and Med42.Ort.Training's AdapterWriter write it) for evaluation on the fly: the base
// weights stay untouched and LoraLinear adds (α/r)·x·Aᵀ·Bᵀ on the target projections, no merge.
using System.Text.Json;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Lora;

namespace Med42.Ort.Eval.Onnx;

public sealed class PeftAdapter : IDisposable
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";

    private PeftAdapter(LoraConfig config, ITensorStore weights)
    {
        Config = config;
        Weights = weights;
    }

    public LoraConfig Config { get; }
    public ITensorStore Weights { get; }

    /// <summary>The linear factory that applies this adapter (no dropout: evaluation).</summary>
    public LoraLinear Linear(LlamaConfig model) => new(model, Config, useDropout: false);

    public static PeftAdapter Open(string dir, LlamaConfig model)
    {
        var configPath = Path.Combine(dir, ConfigFile);
        var weightsPath = Path.Combine(dir, WeightsFile);
        if (!File.Exists(configPath)) throw new Med42Exception($"{configPath}: adapter folder has no {ConfigFile} (expected a PEFT LoRA adapter)");
        if (!File.Exists(weightsPath)) throw new Med42Exception($"{weightsPath}: adapter folder has no {WeightsFile} (.bin adapters are pickles and are refused)");
        LoraConfig config;
        using (var doc = JsonFile.Read(configPath))
        {
            var root = doc.RootElement;
            if (root.TryGetProperty("peft_type", out var type) && type.GetString() != "LORA")
                throw new Med42Exception($"{configPath}: 'peft_type' is '{type.GetString()}', only LORA adapters are supported");
            if (root.TryGetProperty("fan_in_fan_out", out var fifo) && fifo.ValueKind == JsonValueKind.True)
                throw new Med42Exception($"{configPath}: 'fan_in_fan_out' true is not a Llama adapter layout");
            config = new LoraConfig
            {
                Rank = Required(root, "r", configPath).GetInt32(),
                Alpha = Required(root, "lora_alpha", configPath).GetDouble(),
                Targets = Required(root, "target_modules", configPath).EnumerateArray().Select(e => e.GetString() ?? "").ToArray(),
            }.Validate(configPath);
        }
        var weights = SafetensorsFile.Open(weightsPath);
        try
        {
            foreach (var spec in LoraWeights.For(model, config))
            {
                if (!weights.Contains(spec.Name))
                    throw new Med42Exception($"{weightsPath}: missing adapter tensor '{spec.Name}'");
                var info = weights.Info(spec.Name);
                if (!info.Shape.SequenceEqual(spec.Shape))
                    throw new Med42Exception($"{weightsPath}: tensor '{spec.Name}' has shape {info.ShapeText}, expected [{string.Join(",", spec.Shape)}] (r={config.Rank}, model dims)");
            }
            return new PeftAdapter(config, weights);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    private static JsonElement Required(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out var v) ? v : throw new Med42Exception($"{path}: missing field '{name}'");

    public void Dispose() => Weights.Dispose();
}

/// <summary>Base weights plus adapter tensors as one store (names never collide: the adapter's carry PEFT's prefix).</summary>
public sealed class OverlayTensorStore(ITensorStore first, ITensorStore second) : ITensorStore
{
    public string Source => $"{first.Source} + {second.Source}";
    public IReadOnlyList<TensorInfo> Tensors { get; } = [.. first.Tensors, .. second.Tensors];
    public bool Contains(string name) => first.Contains(name) || second.Contains(name);
    public TensorInfo Info(string name) => first.Contains(name) ? first.Info(name) : second.Info(name);
    public void ReadBytes(string name, Span<byte> dest)
    {
        if (first.Contains(name)) first.ReadBytes(name, dest);
        else second.ReadBytes(name, dest);
    }

    /// <summary>The parts are owned by their openers.</summary>
    public void Dispose() { }
}
