// adapter_config.json strictness: the config PeftAdapter.Write produces (and PEFT 0.13's, in
// PeftAdapterTests) loads; each value the hardening issue found crashing ("r": 1e12, a top-level array)
// or read silently wrong ("lora_alpha": "sixteen" read as 8, layers_to_transform and rank_pattern
// ignored) is refused naming the key, as are the other PEFT features this reader does not implement.
using System.Text.Json.Nodes;
using Med42.Ort.Core.Errors;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Export.Tests.Adapters;

public class PeftAdapterConfigTests
{
    private static readonly LoraConfig Lora = new() { Rank = 2, Alpha = 4, Targets = ["q_proj", "v_proj"] };

    private static string WriteAdapter(TempDir dir)
    {
        using var tensors = PeftAdapterTests.RandomAdapter(PeftAdapterTests.Tiny, Lora, 5);
        PeftAdapter.Write(dir.File("a"), PeftAdapterTests.Tiny, Lora, tensors, "tiny/base");
        return dir.File("a");
    }

    private static Med42Exception Refused(Func<JsonNode, JsonNode> change, out string path)
    {
        using var dir = new TempDir();
        var folder = WriteAdapter(dir);
        path = Path.Combine(folder, PeftAdapter.ConfigFile);
        var json = change(JsonNode.Parse(File.ReadAllText(path))!);
        File.WriteAllText(path, json.ToJsonString());
        return Assert.Throws<Med42Exception>(() => PeftAdapter.Read(folder, PeftAdapterTests.Tiny).Dispose());
    }

    private static Med42Exception Refused(string key, string value, out string path) =>
        Refused(root => { root[key] = JsonNode.Parse(value); return root; }, out path);

    [Fact]
    public void WrittenConfigLoads()
    {
        using var dir = new TempDir();
        using var a = PeftAdapter.Read(WriteAdapter(dir), PeftAdapterTests.Tiny);
        Assert.Equal((2, 4.0), (a.Config.Rank, a.Config.Alpha));
    }

    [Fact]
    public void TopLevelArrayIsRefused()
    {
        var e = Refused(root => new JsonArray(root), out var path);
        Assert.Equal($"{path}: top level: adapter_config.json must be a JSON object, got Array", e.Message);
    }

    [Theory]
    [InlineData("r", "1e12", "key 'r': must be an integer, got 1e12")]
    [InlineData("r", "1000000000000", "key 'r': must be an integer, got 1000000000000")]
    [InlineData("r", "4097", "key 'r': rank 4097 is outside 1..4096")]
    [InlineData("r", "0", "key 'r': rank 0 is outside 1..4096")]
    [InlineData("r", "2.5", "key 'r': must be an integer, got 2.5")]
    [InlineData("lora_alpha", "\"sixteen\"", "key 'lora_alpha': must be a number, got \"sixteen\"")]
    [InlineData("lora_alpha", "-4", "key 'lora_alpha': must be finite and positive, got -4")]
    [InlineData("lora_alpha", "1e300", "key 'lora_alpha': lora_alpha / r = 5E+299 does not fit float32")]
    [InlineData("lora_alpha", "1e400", "key 'lora_alpha': 1e400 is out of the float64 range")]
    [InlineData("lora_dropout", "1", "key 'lora_dropout': must be in [0, 1), got 1")]
    [InlineData("target_modules", "\"q_proj|v_proj\"", "key 'target_modules': a regular expression is not supported; list the module names")]
    [InlineData("task_type", "\"SEQ_CLS\"", "key 'task_type': 'SEQ_CLS' is not a causal-LM adapter (expected CAUSAL_LM)")]
    [InlineData("peft_typo", "1", "key 'peft_typo': unknown key in a PEFT LoRA adapter_config.json")]
    public void BadValuesAreRefusedNamingTheKey(string key, string value, string expected)
    {
        var e = Refused(key, value, out var path);
        Assert.Equal($"{path}: {expected}", e.Message);
    }

    [Theory]
    [InlineData("layers_to_transform", "[0]")]
    [InlineData("rank_pattern", """{"q_proj": 4}""")]
    [InlineData("alpha_pattern", """{"v_proj": 8}""")]
    [InlineData("use_dora", "true")]
    [InlineData("use_rslora", "true")]
    [InlineData("layers_pattern", "\"layers\"")]
    [InlineData("modules_to_save", """["lm_head"]""")]
    [InlineData("fan_in_fan_out", "true")]
    [InlineData("bias", "\"all\"")]
    [InlineData("layer_replication", "[[0, 1]]")]
    public void UnimplementedPeftFeaturesAreRefusedNamingTheKey(string key, string value)
    {
        var e = Refused(key, value, out var path);
        Assert.StartsWith($"{path}: key '{key}': PEFT feature '{key}' = ", e.Message);
        Assert.EndsWith("is not implemented (only plain LoRA on every listed layer is)", e.Message);
    }

    [Theory]
    [InlineData("layers_to_transform", "null")]
    [InlineData("rank_pattern", "{}")]
    [InlineData("use_dora", "false")]
    [InlineData("init_lora_weights", "\"gaussian\"")]
    [InlineData("loftq_config", """{"loftq_bits": 4}""")]
    public void NeutralOrInitOnlyValuesLoad(string key, string value)
    {
        using var dir = new TempDir();
        var folder = WriteAdapter(dir);
        var path = Path.Combine(folder, PeftAdapter.ConfigFile);
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        root[key] = JsonNode.Parse(value);
        File.WriteAllText(path, root.ToJsonString());
        PeftAdapter.Read(folder, PeftAdapterTests.Tiny).Dispose();
    }
}
