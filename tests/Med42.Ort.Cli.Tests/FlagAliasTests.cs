// One vocabulary: --out everywhere (--output/--output_path/--output_dir accepted), --skip-bad, --max-new-tokens,
// and the spellings HF Transformers/PEFT and lm-evaluation-harness users type, all bound to our flags; a misspelt
// verb or flag gets one "did you mean" line and exit 2.
using CommandLine;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Cli.Options;

namespace Med42.Ort.Cli.Tests;

public sealed class FlagAliasTests
{
    private static T Parsed<T>(params string[] args)
    {
        using var parser = Program.CreateParser();
        var result = Program.Parse(parser, args);
        Assert.True(result.Tag == ParserResultType.Parsed, string.Join("; ", result.Errors.Select(e => e.Tag)));
        return (T)result.Value;
    }

    [Fact]
    public void TheTableOnlyNamesRealFlagsAndNeverShadowsOne()
    {
        foreach (var (alias, target) in FlagAliases.Table)
        {
            Assert.Contains(Commands.Verbs.All, v => OptionTable.Find(v, target) is not null);
            Assert.DoesNotContain(Commands.Verbs.All, v => OptionTable.Find(v, alias) is not null || OptionTable.Find(v, alias.Replace('_', '-')) is not null);
        }
    }

    [Fact]
    public void HuggingFaceTrainingSpellingsBindTrainFlags()
    {
        var t = Parsed<TrainCommand>("train", "--model_name_or_path", "m", "--learning_rate", "0.001", "--num_train_epochs", "3",
            "--per_device_train_batch_size", "4", "--gradient_accumulation_steps", "2", "--max_steps", "5", "--warmup_ratio=0.1",
            "--weight_decay", "0.01", "--lora_r", "4", "--lora_alpha", "8", "--lora_dropout", "0.05", "--output_dir", "o",
            "--lr_scheduler_type", "linear", "--target_modules", "q_proj,k_proj", "--max_seq_length", "64", "--skip-bad-lines");
        Assert.Equal(("m", 0.001, 3, 4, 2, 5), (t.Model, t.Lr, t.Epochs, t.BatchSize, t.GradAccum, t.MaxSteps));
        Assert.Equal((0.1, 0.01, 4, 8.0, 0.05, "o"), (t.WarmupRatio, t.WeightDecay, t.LoraRank, t.LoraAlpha, t.LoraDropout, t.Out));
        Assert.Equal((Training.Trainer.ScheduleKind.Linear, 64, true), (t.Schedule, t.SeqLen, t.SkipBad));
        Assert.Equal(["q_proj", "k_proj"], t.LoraTargets!);
        Assert.Equal(0.002, Parsed<TrainCommand>("train", "--learning-rate", "0.002").Lr); // the table in kebab spelling too
    }

    [Fact]
    public void LmEvalSpellingsBindEvalFlags()
    {
        var e = Parsed<EvalCommand>("eval", "--model", "m", "--tasks", "medqa_4options", "--num_fewshot", "5", "--batch_size", "2",
            "--output_path", "o", "--log_samples", "--limit", "0.1", "--max_length", "128");
        Assert.Equal((5, 2, "o", true, 0.1, 128), (e.NumFewshot, e.BatchSize, e.Out, e.LogSamples, e.Limit, e.MaxLength));
        Assert.Equal("p", Parsed<EvalCommand>("eval", "--model", "m", "--tasks", "x", "--output", "p").Out);
        Assert.Equal("q", Parsed<ConvertCommand>("convert", "--model", "m", "--output=q").Out);
    }

    [Fact]
    public void GenerateTakesMaxNewTokensAndKeepsLlama2cSteps()
    {
        var g = Parsed<GenerateCommand>("generate", "--max_new_tokens", "5");
        Assert.Equal(5, g.MaxNewTokens);
        Assert.Equal(7 - 1 + 5, g.PositionSteps(promptTokens: 7, contextLength: 512)); // a row ends with steps + 1 tokens: 7 prompt + 5 new
        Assert.Equal(100, Parsed<GenerateCommand>("generate", "--steps", "100").PositionSteps(7, 512));
        var error = Assert.Throws<Core.Errors.Med42Exception>(() => g.PositionSteps(510, 512));
        Assert.Contains("--max-new-tokens 5", error.Message);
        Assert.Throws<Core.Errors.Med42Exception>(() => Parsed<GenerateCommand>("generate", "--max-new-tokens", "0").PositionSteps(1, 512));
    }

    [Theory]
    [InlineData(0.1, 25, 3)]    // ceil(2.5): the harness rounds a fraction up
    [InlineData(0.5, 4, 2)]
    [InlineData(0.999, 1000, 999)]
    [InlineData(7.0, 25, 7)]
    [InlineData(50.0, 25, 25)]
    [InlineData(0.0, 25, 0)]
    public void FractionalLimitIsAShareOfEachTask(double limit, int available, int kept)
    {
        EvalCommand.CheckLimit(limit);
        Assert.Equal(kept, new Eval.EvalOptions { Tasks = [], Limit = limit }.LimitCount(available));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(2.5)]
    [InlineData(double.NaN)]
    public void ImpossibleLimitsAreRefused(double limit) =>
        Assert.Contains("--limit", Assert.Throws<Core.Errors.Med42Exception>(() => EvalCommand.CheckLimit(limit)).Message);

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("tarin", "train", 1)] // adjacent swap counts once
    [InlineData("", "abc", 3)]
    [InlineData("eval", "eval", 0)]
    public void EditDistanceMatchesHandCounts(string a, string b, int distance)
    {
        Assert.Equal(distance, Suggestions.Distance(a, b));
        Assert.Equal(distance, Suggestions.Distance(b, a));
    }

    [Theory]
    [InlineData(new[] { "tarin" }, "unknown verb 'tarin' (did you mean train?)")]
    [InlineData(new[] { "evl", "--model", "m" }, "unknown verb 'evl' (did you mean eval?)")]
    [InlineData(new[] { "train", "--lora-rnak", "4" }, "--lora-rnak: unknown option (did you mean --lora-rank?)")]
    [InlineData(new[] { "eval", "--model", "m", "--tasks", "medqa_4options", "--num-fewshots", "4" }, "--num-fewshots: unknown option (did you mean --num-fewshot?)")]
    [InlineData(new[] { "train", "--learnig_rate", "4" }, "--learnig_rate: unknown option (did you mean --lr?)")]
    public void MisspellingsGetOneDidYouMeanLine(string[] args, string expected)
    {
        var (code, stdout, stderr) = Med42Process.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal($"med42: error: {expected}\n", stderr);
    }

    [Fact]
    public void AFarOffVerbListsTheVerbs()
    {
        var (code, _, stderr) = Med42Process.Run("zzzzzz");
        Assert.Equal(2, code);
        Assert.StartsWith("med42: error: unknown verb 'zzzzzz' (expected ", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

public sealed class InfoFlagTests
{
    [Theory]
    [InlineData(new[] { "info", "--model", "m" }, true)]
    [InlineData(new[] { "info", "--model", "m", "--tensors", "false" }, false)]
    [InlineData(new[] { "info", "--model", "m", "--tensors=true" }, true)]
    public void TensorsTakesAValue(string[] args, bool expected)
    {
        using var parser = Program.CreateParser();
        var result = Program.Parse(parser, args);
        Assert.Equal(CommandLine.ParserResultType.Parsed, result.Tag);
        Assert.Equal(expected, ((Commands.InfoCommand)result.Value).Tensors);
    }
}
