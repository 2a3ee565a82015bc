// Enum-valued flags are bound by the parser as enums, spelled as the help shows them (lower case, kebab-case
// for several words, aliases where a verb declares them), and any other value — a misspelling, a number — is
// one error line naming the flag and the accepted values, exit 2, without the help text.
using CommandLine;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Cli.Options;
using Med42.Ort.Runtime;
using Med42.Ort.Training.Artifacts;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Cli.Tests;

public sealed class OptionParsingTests
{
    private static object Parsed(params string[] args)
    {
        using var parser = Program.CreateParser();
        var result = Program.Parse(parser, args);
        Assert.True(result.Tag == ParserResultType.Parsed, string.Join("; ", result.Errors.Select(e => e.Tag)));
        return result.Value;
    }

    /// <summary>Every spelling of every enum-valued flag of every verb parses to the member it names.</summary>
    [Fact]
    public void EverySpellingOfEveryEnumFlagParses()
    {
        var checkedFlags = 0;
        foreach (var verb in Commands.Verbs.All)
            foreach (var option in OptionTable.Of(verb).Where(o => o.IsEnum))
            {
                foreach (var member in Enum.GetValues(option.ValueType).Cast<Enum>())
                {
                    var spelling = EnumSpelling.Name(member);
                    Assert.Equal(spelling, spelling.ToLowerInvariant());
                    var normalized = EnumArguments.Normalize([OptionTable.VerbName(verb), "--" + option.LongName, spelling.ToUpperInvariant()], Commands.Verbs.All);
                    Assert.Equal(member, Enum.Parse(option.ValueType, normalized[2]));
                }
                checkedFlags++;
            }
        Assert.True(checkedFlags >= 15, $"{checkedFlags} enum flags"); // device ×3, dtype ×4, format, attention ×2, kernels ×3, mode ×2, schedule, template, mmlu-style, medmcqa-cop
    }

    [Fact]
    public void TrainBindsEnumsAndListsFromTheCommandLine()
    {
        var train = (TrainCommand)Parsed("train", "--mode", "QLoRA", "--schedule=linear", "--template", "llama2", "--device", "cuda",
            "--kernels", "native", "--lora-targets", "q_proj,k_proj", "--packing", "false", "--gradient-checkpointing");
        Assert.Equal((TrainingMode.Qlora, ScheduleKind.Linear, TemplateKind.Llama2, Device.Cuda), (train.Mode, train.Schedule, train.Template, train.Device));
        Assert.Equal(Llama.Graphs.LlamaKernels.Native, train.Kernels);
        Assert.Equal(["q_proj", "k_proj"], train.LoraTargets!);
        Assert.Equal(false, train.Packing);
        Assert.True(train.GradientCheckpointing);
        var defaults = (TrainCommand)Parsed("train");
        Assert.Null(defaults.Mode); // not given: the recipe's value stays (FlagOverlay)
    }

    [Fact]
    public void AliasesAndKebabSpellingsParse()
    {
        Assert.Equal(DTypeChoice.Fp16, ((ConvertCommand)Parsed("convert", "--model", "m", "--out", "o", "--dtype", "float16")).DType);
        Assert.Equal(DTypeChoice.Fp32, ((ConvertCommand)Parsed("convert", "--model", "m", "--out", "o", "--dtype", "f32")).DType);
        Assert.Equal(ExportFormat.OnnxAdapter, ((ExportCommand)Parsed("export", "--model", "m", "--out", "o", "--format", "onnx-adapter")).Format);
        Assert.Equal(CopChoice.Zero, ((EvalCommand)Parsed("eval", "--model", "m", "--tasks", "medmcqa", "--medmcqa-cop", "0")).MedMcqaCop);
        Assert.Equal(Eval.Tasks.CopBase.ZeroBased, CopChoice.Zero.ToCopBase());
    }

    [Theory]
    [InlineData("--mode bogus", "--mode: unknown value 'bogus' (expected full, lora or qlora)")]
    [InlineData("--mode 2", "--mode: unknown value '2' (expected full, lora or qlora)")]
    [InlineData("--device=gpu", "--device: unknown value 'gpu' (expected cpu or cuda)")]
    [InlineData("--lr abc", "--lr: 'abc' is not a number")]
    [InlineData("--lr-rate 3", "--lr-rate: unknown option (med42 train --help lists them)")]
    public void BadTrainFlagsAreOneLineAndExit2(string args, string expected)
    {
        var (code, stdout, stderr) = Med42Process.Run(["train", .. args.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal($"med42: error: {expected}\n", stderr);
    }

    [Fact]
    public void BadValueOfARequiredEnumIsReportedOnce()
    {
        var (code, _, stderr) = Med42Process.Run("export", "--model", "m", "--out", "o", "--format", "onnx_adapter");
        Assert.Equal(2, code);
        Assert.Equal("med42: error: --format: unknown value 'onnx_adapter' (expected genai, hf, peft, onnx-adapter or gguf)\n", stderr);
    }
}
