// `med42 --help` and `med42 VERB --help`, rendered from the verbs' attributes: every flag with its description,
// its default (FlagDefaults: read from the code that applies it) and its aliases (FlagAliases), wrapped to the
// console width. The parser's own help text shows neither the recipe defaults nor the aliases.
using System.Reflection;
using System.Text;
using CommandLine;

namespace Med42.Ort.Cli.Options;

internal static class HelpRenderer
{
    private const int NameColumn = 28;

    /// <summary>The verb list: "med42 VERB [flags]", one line per verb with its description.</summary>
    public static string Index(IReadOnlyList<Type> verbs, int width)
    {
        var text = new StringBuilder("usage: med42 VERB [flags]   (med42 VERB --help lists a verb's flags)\n\nverbs:\n");
        foreach (var verb in verbs)
            Entry(text, OptionTable.VerbName(verb), verb.GetCustomAttribute<VerbAttribute>()?.HelpText ?? "", width);
        return text.ToString();
    }

    /// <summary>One verb: its description, positional values, then every flag in declaration order.</summary>
    public static string Verb(Type verb, int width)
    {
        var name = OptionTable.VerbName(verb);
        var values = verb.GetProperties().Select(p => (p, a: p.GetCustomAttribute<ValueAttribute>())).Where(x => x.a is not null).OrderBy(x => x.a!.Index).ToList();
        var text = new StringBuilder($"usage: med42 {name}{string.Concat(values.Select(v => " " + v.a!.MetaName.ToUpperInvariant()))} [flags]\n\n");
        foreach (var line in Wrap(verb.GetCustomAttribute<VerbAttribute>()?.HelpText ?? "", width)) text.Append(line).Append('\n');
        text.Append('\n');
        foreach (var (_, a) in values) Entry(text, "  " + a!.MetaName.ToUpperInvariant(), a.HelpText, width);
        foreach (var option in OptionTable.Of(verb)) Entry(text, "  --" + option.LongName, Describe(verb, option), width);
        Entry(text, "  --help", "This text.", width);
        Entry(text, "  " + Program.VerboseFlag, "Any verb: print the stack trace after an error line (or set MED42_VERBOSE=1).", width);
        text.Append('\n');
        foreach (var line in Wrap("HF and lm-evaluation-harness spellings are accepted too: snake_case for any flag (--batch_size) and the aliases shown.", width))
            text.Append(line).Append('\n');
        return text.ToString();
    }

    /// <summary>"Peak learning rate. (default: 0.0002; alias --learning_rate)"; "(required)" for a required flag.</summary>
    public static string Describe(Type verb, OptionInfo option)
    {
        var attribute = option.Property.GetCustomAttribute<OptionAttribute>()!;
        var notes = new List<string>();
        if (attribute.Required) notes.Add("required");
        if (FlagDefaults.Text(verb, option) is { } value) notes.Add("default: " + value);
        var aliases = FlagAliases.Of(option.LongName);
        if (aliases.Count > 0) notes.Add((aliases.Count == 1 ? "alias " : "aliases ") + string.Join(", ", aliases.Select(a => "--" + a)));
        return notes.Count == 0 ? attribute.HelpText : $"{attribute.HelpText} ({string.Join("; ", notes)})";
    }

    private static void Entry(StringBuilder text, string name, string description, int width)
    {
        var lines = Wrap(description, Math.Max(20, width - NameColumn));
        var first = true;
        foreach (var line in lines.DefaultIfEmpty(""))
        {
            var head = first ? name : "";
            if (first && head.Length >= NameColumn - 1) { text.Append(head).Append('\n'); head = ""; }
            text.Append(head.PadRight(NameColumn)).Append(line).Append('\n');
            first = false;
        }
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width) { lines.Add(line.ToString()); line.Clear(); }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }
}
