// Other spellings of our flags, rewritten to the canonical flag before the parser sees them (it has no aliases
// of its own): the names HF Transformers/PEFT/TRL and lm-evaluation-harness users type (--learning_rate,
// --num_fewshot, --output_path), and our own older names (--output, --skip-bad-lines). Two rules, in order:
//   1. the table below: alias → canonical flag, for names that are not a mechanical respelling;
//   2. snake_case → kebab-case (--batch_size → --batch-size, --max_new_tokens → --max-new-tokens); the table is
//      looked up in either spelling too (--learning-rate, --skip_bad_lines).
// A rule applies only when the verb declares the canonical flag and does not itself declare the given name, so
// an alias can never shadow a real flag (generate's --steps and --max-new-tokens are both real).
namespace Med42.Ort.Cli.Options;

internal static class FlagAliases
{
    /// <summary>Alias → canonical long name. Snake-case spellings of a flag need no entry (rule 2).</summary>
    public static readonly IReadOnlyDictionary<string, string> Table = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // our own older names
        ["output"] = "out",
        ["skip-bad-lines"] = "skip-bad",
        // lm-evaluation-harness
        ["output_path"] = "out",
        // HF Transformers TrainingArguments / TRL / PEFT LoraConfig
        ["output_dir"] = "out",
        ["model_name_or_path"] = "model",
        ["tokenizer_name"] = "tokenizer",
        ["learning_rate"] = "lr",
        ["num_train_epochs"] = "epochs",
        ["per_device_train_batch_size"] = "batch-size",
        ["per_device_eval_batch_size"] = "batch-size",
        ["gradient_accumulation_steps"] = "grad-accum",
        ["lr_scheduler_type"] = "schedule",
        ["max_seq_length"] = "seq-len",
        ["eval_steps"] = "eval-every",
        ["save_steps"] = "save-every",
        ["save_total_limit"] = "keep-last",
        ["resume_from_checkpoint"] = "resume",
        ["lora_r"] = "lora-rank",
        ["target_modules"] = "lora-targets",
        ["lora_target_modules"] = "lora-targets",
    };

    /// <summary>The aliases the table lists for <paramref name="longName"/> (shown in help).</summary>
    public static IReadOnlyList<string> Of(string longName) => Table.Where(kv => kv.Value == longName).Select(kv => kv.Key).ToList();

    /// <summary>The canonical flag <paramref name="name"/> stands for in <paramref name="verb"/>, or null when it names none.</summary>
    public static string? Resolve(Type verb, string name)
    {
        if (OptionTable.Find(verb, name) is not null) return name;
        var kebab = Kebab(name);
        if (OptionTable.Find(verb, kebab) is not null) return kebab;
        return ByKebab.TryGetValue(kebab, out var target) && OptionTable.Find(verb, target) is not null ? target : null;
    }

    // The table keyed by kebab spelling, so --learning-rate finds learning_rate as --batch_size finds batch-size.
    private static readonly IReadOnlyDictionary<string, string> ByKebab = Table.ToDictionary(kv => Kebab(kv.Key), kv => kv.Value, StringComparer.Ordinal);

    private static string Kebab(string name) => name.Replace('_', '-');

    /// <summary><paramref name="args"/> with every aliased flag ("--name" or "--name=value") spelled canonically.</summary>
    public static string[] Rewrite(IReadOnlyList<string> args, IReadOnlyList<Type> verbs)
    {
        var result = args.ToArray();
        if (result.Length == 0 || OptionTable.Verb(verbs, result[0]) is not { } verb) return result;
        for (var i = 1; i < result.Length; i++)
        {
            var arg = result[i];
            if (arg == "--") break;
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2) continue;
            var eq = arg.IndexOf('=');
            var name = eq < 0 ? arg[2..] : arg[2..eq];
            if (Resolve(verb, name) is { } canonical && canonical != name) result[i] = "--" + canonical + (eq < 0 ? "" : arg[eq..]);
        }
        return result;
    }
}
