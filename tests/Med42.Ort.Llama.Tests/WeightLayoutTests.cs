using Med42.Ort.Llama;

namespace Med42.Ort.Llama.Tests;

public class WeightLayoutTests
{
    // stories260K (MANIFEST §1.1): dim 64, hidden 172, 5 layers, 8 heads, 4 kv heads, vocab 512, tied head.
    private static readonly LlamaConfig Stories260K = new()
    {
        HiddenSize = 64, IntermediateSize = 172, NumHiddenLayers = 5, NumAttentionHeads = 8,
        NumKeyValueHeads = 4, VocabSize = 512, MaxPositionEmbeddings = 512, TieWordEmbeddings = true,
    };

    [Fact]
    public void Stories260KHasThePublishedParameterCount() =>
        Assert.Equal(260032, WeightLayout.ParameterCount(Stories260K));

    [Fact]
    public void UntiedHeadAddsLmHead()
    {
        var untied = Stories260K with { TieWordEmbeddings = false };
        Assert.Contains(WeightLayout.For(untied), w => w.Name == WeightLayout.LmHead);
        Assert.DoesNotContain(WeightLayout.For(Stories260K), w => w.Name == WeightLayout.LmHead);
    }

    [Fact]
    public void InconsistentHeadsAreRejectedNamingTheFields()
    {
        var bad = Stories260K with { NumKeyValueHeads = 3 };
        var ex = Assert.Throws<Med42.Ort.Core.Errors.Med42Exception>(() => bad.Validate("config.json"));
        Assert.Contains("num_key_value_heads", ex.Message);
    }
}
