// PEFT adapter folders round-trip (write → read → identical tensors and config),
// a PEFT folder written here byte by byte from PEFT's documented layout (adapter_config.json as
// save_pretrained writes it, a safetensors file assembled by hand: u64 header length, JSON header,
// raw little-endian data) reads back, and bad adapters are refused with the tensor or key named.
using System.Buffers.Binary;
using System.Text;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.Randomness;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Export.Adapters;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Export.Tests.Adapters;

public class PeftAdapterTests
{
    internal static readonly LlamaConfig Tiny = new()
    {
        HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, VocabSize = 32, MaxPositionEmbeddings = 64,
    };

    internal static InMemoryTensorStore RandomAdapter(LlamaConfig c, LoraConfig l, ulong seed, double std = 0.1)
    {
        var rng = new SplitMix64(seed);
        var store = new InMemoryTensorStore("<random adapter>");
        foreach (var spec in LoraWeights.For(c, l))
            store.AddFloat(spec.Name, spec.Shape, Enumerable.Range(0, (int)spec.ElementCount).Select(_ => (float)(rng.NextNormal() * std)).ToArray());
        return store;
    }

    [Fact]
    public void RoundTripKeepsTensorsAndConfig()
    {
        var lora = new LoraConfig { Rank = 4, Alpha = 8, Dropout = 0.05, Targets = ["q_proj", "v_proj", "down_proj"] };
        using var adapter = RandomAdapter(Tiny, lora, 3);
        using var dir = new TempDir();
        PeftAdapter.Write(dir.File("a"), Tiny, lora, adapter, "my/base");
        using var back = PeftAdapter.Read(dir.File("a"), Tiny);
        Assert.Equal(lora.Rank, back.Config.Rank);
        Assert.Equal(lora.Alpha, back.Config.Alpha);
        Assert.Equal(lora.Dropout, back.Config.Dropout);
        Assert.Equal(lora.Targets, back.Config.Targets);
        Assert.Equal("my/base", back.BaseModel);
        Assert.Equal(adapter.Tensors.Select(t => t.Name).Order(), back.Tensors.Tensors.Select(t => t.Name).Order());
        foreach (var t in adapter.Tensors) Assert.Equal(adapter.ReadBytes(t.Name), back.Tensors.ReadBytes(t.Name));
    }

    // PEFT 0.13 LoraConfig.save_pretrained output for r=2, alpha=4 on q_proj/v_proj (target_modules is a set: any order).
    private const string HandConfig = """
        {
          "alpha_pattern": {},
          "auto_mapping": null,
          "base_model_name_or_path": "hf-internal-testing/tiny-random-LlamaForCausalLM",
          "bias": "none",
          "fan_in_fan_out": false,
          "inference_mode": true,
          "init_lora_weights": true,
          "layer_replication": null,
          "layers_pattern": null,
          "layers_to_transform": null,
          "loftq_config": {},
          "lora_alpha": 4,
          "lora_dropout": 0.1,
          "megatron_config": null,
          "megatron_core": "megatron.core",
          "modules_to_save": null,
          "peft_type": "LORA",
          "r": 2,
          "rank_pattern": {},
          "revision": null,
          "target_modules": ["v_proj", "q_proj"],
          "task_type": "CAUSAL_LM",
          "use_dora": false,
          "use_rslora": false
        }
        """;

    // Builds a safetensors file by hand: every tensor F32, value = index·0.25 + tensorNumber.
    private static void WriteHandSafetensors(string path, IReadOnlyList<(string Name, long[] Shape)> tensors)
    {
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            var bytes = shape.Aggregate(1L, (a, b) => a * b) * 4;
            header.Append($",\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        header.Append('}');
        using var f = File.Create(path);
        var h = Encoding.UTF8.GetBytes(header.ToString());
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)h.Length);
        f.Write(len);
        f.Write(h);
        for (var t = 0; t < tensors.Count; t++)
            for (long i = 0; i < tensors[t].Shape.Aggregate(1L, (a, b) => a * b); i++)
            {
                var v = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(v, i * 0.25f + t);
                f.Write(v);
            }
    }

    private static List<(string, long[])> HandTensors(LlamaConfig c, int rank, int layers)
    {
        var list = new List<(string, long[])>();
        for (var i = 0; i < layers; i++)
            foreach (var p in new[] { "q_proj", "v_proj" })
            {
                var (fin, fout) = WeightLayout.ProjectionShape(c, p);
                list.Add(($"base_model.model.model.layers.{i}.self_attn.{p}.lora_A.weight", [rank, fin]));
                list.Add(($"base_model.model.model.layers.{i}.self_attn.{p}.lora_B.weight", [fout, rank]));
            }
        return list;
    }

    [Fact]
    public void ReadsAHandWrittenPeftFolder()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("adapter_config.json"), HandConfig);
        var tensors = HandTensors(Tiny, 2, Tiny.NumHiddenLayers);
        WriteHandSafetensors(dir.File("adapter_model.safetensors"), tensors);
        using var a = PeftAdapter.Read(dir.Path, Tiny);
        Assert.Equal(2, a.Config.Rank);
        Assert.Equal(4.0, a.Config.Alpha);
        Assert.Equal(2.0, a.Config.Scale);
        Assert.Equal(["q_proj", "v_proj"], a.Config.Targets);
        Assert.Equal("hf-internal-testing/tiny-random-LlamaForCausalLM", a.BaseModel);
        var b1 = a.Tensors.ReadFloat32("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"); // tensor number 7
        Assert.Equal(7f, b1[0]);
        Assert.Equal(7.25f, b1[1]);
    }

    private static string Error(Action a) => Assert.Throws<Med42Exception>(a).Message;

    [Fact]
    public void RankMismatchNamesTheTensor()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("adapter_config.json"), HandConfig.Replace("\"r\": 2", "\"r\": 3"));
        WriteHandSafetensors(dir.File("adapter_model.safetensors"), HandTensors(Tiny, 2, Tiny.NumHiddenLayers));
        var m = Error(() => PeftAdapter.Read(dir.Path, Tiny));
        Assert.Contains("layers.0.self_attn.q_proj.lora_A.weight", m);
        Assert.Contains("rank 3", m);
        Assert.Contains("tiny-random-LlamaForCausalLM", m); // names the base model the adapter was made for
    }

    [Fact]
    public void AdapterForAMissingLayerIsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("adapter_config.json"), HandConfig);
        WriteHandSafetensors(dir.File("adapter_model.safetensors"), HandTensors(Tiny, 2, Tiny.NumHiddenLayers + 1));
        var m = Error(() => PeftAdapter.Read(dir.Path, Tiny));
        Assert.Contains("layers.2.self_attn.q_proj.lora_A.weight", m);
        Assert.Contains("module the base model does not have", m);
    }

    [Fact]
    public void UnknownTargetModuleIsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("adapter_config.json"), HandConfig.Replace("\"q_proj\"]", "\"c_attn\"]"));
        WriteHandSafetensors(dir.File("adapter_model.safetensors"), HandTensors(Tiny, 2, Tiny.NumHiddenLayers));
        Assert.Contains("c_attn", Error(() => PeftAdapter.Read(dir.Path, Tiny)));
    }

    [Fact]
    public void BaseModelShapeMismatchIsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("adapter_config.json"), HandConfig);
        WriteHandSafetensors(dir.File("adapter_model.safetensors"), HandTensors(Tiny, 2, Tiny.NumHiddenLayers));
        var wider = Tiny with { HiddenSize = 32, NumAttentionHeads = 4 };
        var m = Error(() => PeftAdapter.Read(dir.Path, wider));
        Assert.Contains("lora_A.weight", m);
        Assert.Contains("[2,16]", m);
    }

    [Fact]
    public void NonEmptyOutputFolderIsRefusedUnlessForced()
    {
        var lora = new LoraConfig { Rank = 2 };
        using var adapter = RandomAdapter(Tiny, lora, 1);
        using var dir = new TempDir();
        File.WriteAllText(dir.File("keep.txt"), "x");
        Assert.Contains("--force", Error(() => PeftAdapter.Write(dir.Path, Tiny, lora, adapter, "")));
        Assert.True(File.Exists(dir.File("keep.txt")));
        Assert.False(File.Exists(dir.File(PeftAdapter.ConfigFile)));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(dir.Path)!, $".{Path.GetFileName(dir.Path)}.tmp-*")); // nothing half-written left
        PeftAdapter.Write(dir.Path, Tiny, lora, adapter, "", force: true);
        Assert.False(File.Exists(dir.File("keep.txt")));
        Assert.True(File.Exists(dir.File(PeftAdapter.WeightsFile)));
    }
}
