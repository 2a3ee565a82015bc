// Every verb's --help describes every flag and shows its default. The defaults are read here independently of
// the help renderer: train's from a fresh TrainOptions along each flag's [Overrides] path, so a default changed in
// TrainOptions changes the help without anyone restating the number.
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using CommandLine;
using Med42.Ort.Cli.Commands;
using Med42.Ort.Cli.Options;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Cli.Tests;

public sealed class HelpTextTests
{
    private const int Wide = 1000; // one line per flag, so a flag's line holds its whole description

    public static TheoryData<string> VerbNames => new(Commands.Verbs.All.Select(OptionTable.VerbName));

    private static string Line(string help, string flag) =>
        help.Split('\n').SingleOrDefault(l => l.StartsWith($"  --{flag} ", StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"no help line for --{flag}:\n{help}");

    [Theory]
    [MemberData(nameof(VerbNames))]
    public void EveryFlagHasADescriptionAndItsDefault(string verbName)
    {
        var verb = OptionTable.Verb(Commands.Verbs.All, verbName)!;
        Assert.False(string.IsNullOrWhiteSpace(verb.GetCustomAttribute<VerbAttribute>()!.HelpText));
        var help = HelpRenderer.Verb(verb, Wide);
        foreach (var option in OptionTable.Of(verb))
        {
            var text = option.Property.GetCustomAttribute<OptionAttribute>()!.HelpText;
            Assert.False(string.IsNullOrWhiteSpace(text), $"{verbName} --{option.LongName} has no description");
            // A default is shown by the renderer, never typed into the description by hand (it would drift).
            Assert.DoesNotMatch(new Regex(@"\(default:? [0-9]"), text);
            var line = Line(help, option.LongName).Replace(text, ""); // what the renderer added: required, default, aliases
            var expected = ExpectedDefault(verb, option);
            if (expected is not null) Assert.Contains($"default: {expected}", line);
            else Assert.DoesNotContain("default: ", line);
        }
        foreach (var value in verb.GetProperties().Select(p => p.GetCustomAttribute<ValueAttribute>()).OfType<ValueAttribute>())
            Assert.False(string.IsNullOrWhiteSpace(value.HelpText), $"{verbName} {value.MetaName} has no description");
    }

    [Fact]
    public void TrainShowsTrainOptionsDefaults()
    {
        var help = HelpRenderer.Verb(typeof(TrainCommand), Wide);
        var defaults = new TrainOptions();
        Assert.Contains($"default: {defaults.Lr.ToString("R", CultureInfo.InvariantCulture)}", Line(help, "lr"));
        Assert.Contains($"default: {defaults.SeqLen}", Line(help, "seq-len"));
        Assert.Contains($"default: {defaults.Lora.Rank}", Line(help, "lora-rank"));
        Assert.Contains($"default: {string.Join(",", defaults.Lora.Targets)}", Line(help, "lora-targets"));
        Assert.Contains("default: cosine", Line(help, "schedule")); // TrainOptions.Schedule = Cosine, spelled as the flag takes it
        // Every train flag but --config and --collective-timeout (how an MPI launch waits, not what it trains) sets a
        // TrainOptions field, so each one's default comes from there.
        Assert.Equal(["config", "collective-timeout"], OptionTable.Of(typeof(TrainCommand)).Where(o => o.Property.GetCustomAttribute<OverridesAttribute>() is null).Select(o => o.LongName));
    }

    [Fact]
    public void HelpIsExitZeroAndListsDefaultsOnTheCommandLine()
    {
        var (code, _, stderr) = Med42Process.Run("train", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--learning_rate", stderr);
        Assert.Contains($"default: {new TrainOptions().KeepLast}", stderr);
        var (indexCode, _, index) = Med42Process.Run("--help");
        Assert.Equal(0, indexCode);
        foreach (var verb in Commands.Verbs.All) Assert.Contains("\n" + OptionTable.VerbName(verb) + " ", index);
    }

    // The value a user gets without the flag, found without FlagDefaults: the recipe record's field for an
    // [Overrides] flag, the parser's Default or the fresh verb's property otherwise; null when nothing is worth showing.
    private static string? ExpectedDefault(Type verb, OptionInfo option)
    {
        object? value;
        if (option.Property.GetCustomAttribute<OverridesAttribute>() is { } o)
        {
            value = verb == typeof(StudyCommand) ? Study.Pipeline.StudyDefaults.Embedded() : new TrainOptions();
            foreach (var name in o.Path) value = value?.GetType().GetProperty(name)!.GetValue(value);
        }
        else value = option.Property.GetCustomAttribute<OptionAttribute>()!.Default ?? option.Property.GetValue(Activator.CreateInstance(verb));
        return value switch
        {
            null or "" => null,
            bool b when option.Property.PropertyType == typeof(bool) => b ? "true" : null,
            bool b => b ? "true" : "false",
            Enum e => EnumSpelling.Name(e),
            IEnumerable<string> list => list.Any() ? string.Join(",", list) : null,
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }
}
