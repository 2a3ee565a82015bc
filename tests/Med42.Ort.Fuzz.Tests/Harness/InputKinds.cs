// Every kind of input the CLI reads, as the fuzz suite drives it: a seed, the shape that picks the
// mutations, and a consumer that reads the folder through the product's own readers exactly as the verbs
// do and then checks what it got. A consumer either returns (the input was accepted: every value it
// produced was checked finite and in range here) or lets the reader's exception escape for the oracle.
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Eval.Documents;
using Med42.Ort.Eval.Tasks;
using Med42.Ort.Fuzz.Tests.Mutation;
using Med42.Ort.Fuzz.Tests.Seeds;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Training.Data;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Fuzz.Tests.Harness;

/// <summary>An accepted input whose values are not valid: the oracle's failure, never a product exception type.</summary>
public sealed class OracleViolation(string message) : Exception(message);

public sealed record InputKind(string Name, InputShape Shape, Func<Seed> Seed, Action<string, string> Consume)
{
    public override string ToString() => Name;
}

public static class InputKinds
{
    public static readonly IReadOnlyList<InputKind> All =
    [
        new("llama2c-bin", InputShape.Binary, SeedFiles.Llama2cBin, (dir, target) => Checkpoint(Path.Combine(dir, target))),
        new("safetensors", InputShape.Binary, () => SeedFiles.HfFolder("model.safetensors"), (dir, _) => Checkpoint(dir)),
        new("config-json", InputShape.Json, () => SeedFiles.HfFolder("config.json"), (dir, _) => Checkpoint(dir)),
        new("gguf", InputShape.Binary, SeedFiles.Gguf, (dir, target) => Checkpoint(Path.Combine(dir, target))),
        new("tokenizer-model", InputShape.Binary, SeedFiles.TokenizerModel, (dir, target) => Tokenizer(TokenizerLoader.Load(Path.Combine(dir, target)))),
        new("tokenizer-json", InputShape.Json, SeedFiles.TokenizerJson, (dir, target) => Tokenizer(TokenizerLoader.Load(Path.Combine(dir, target)))),
        new("training-jsonl", InputShape.JsonLines, SeedFiles.TrainingJsonl, (dir, target) => Training(Path.Combine(dir, target))),
        new("training-json", InputShape.Json, SeedFiles.TrainingJson, (dir, target) => Training(Path.Combine(dir, target))),
        new("medqa-jsonl", InputShape.JsonLines, SeedFiles.MedQa, (dir, target) => Task(new MedQaTask(Path.Combine(dir, target)))),
        new("medmcqa-jsonl", InputShape.JsonLines, SeedFiles.MedMcqa, (dir, target) => Task(new MedMcqaTask(Path.Combine(dir, target)))),
        new("pubmedqa-json", InputShape.Json, SeedFiles.PubMedQa, (dir, target) => Task(new PubMedQaTask(Path.Combine(dir, target)))),
        new("mmlu-csv", InputShape.Csv, SeedFiles.MmluCsv, (dir, target) => Task(new MmluTask("anatomy", Path.Combine(dir, target)))),
        new("peft-config", InputShape.Json, () => SeedFiles.PeftAdapter(PeftAdapter.ConfigFile), (dir, _) => Adapter(dir)),
        new("peft-weights", InputShape.Binary, () => SeedFiles.PeftAdapter(PeftAdapter.WeightsFile), (dir, _) => Adapter(dir)),
        new("recipe-yaml", InputShape.Yaml, SeedFiles.RecipeYaml, (dir, target) => Recipe(Path.Combine(dir, target))),
    ];

    private static void Check(bool ok, string what)
    {
        if (!ok) throw new OracleViolation(what);
    }

    // As generate/eval/train open a model: the checkpoint, then every weight of the layout as float32.
    private static void Checkpoint(string path)
    {
        using var ckpt = LlamaCheckpoint.Open(path);
        ckpt.Config.Validate("accepted config");
        Check(double.IsFinite(ckpt.Config.RmsNormEps) && double.IsFinite(ckpt.Config.RopeTheta), "non-finite config value accepted");
        foreach (var spec in WeightLayout.For(ckpt.Config))
        {
            var values = ckpt.Weights.ReadFloat32(spec.Name);
            Check(values.LongLength == spec.ElementCount, $"tensor '{spec.Name}' has {values.LongLength} values for shape [{string.Join(",", spec.Shape)}]");
            Check(FiniteCheck.FirstNonFinite(values) < 0, $"tensor '{spec.Name}' accepted with a non-finite value");
        }
    }

    private static void Tokenizer(ITextTokenizer tok)
    {
        foreach (var text in new[] { "", "the heart rate", "Café — 37.5 °C\n\tβ-blocker 😀" })
        {
            var ids = tok.Encode(text);
            Check(ids.All(id => id >= 0 && id < tok.VocabSize), $"encode produced an id outside 0..{tok.VocabSize - 1}");
            tok.Decode(ids);
            for (var i = 1; i < ids.Count; i++) tok.DecodePiece(ids[i - 1], ids[i]);
        }
        Check(tok.BosId < tok.VocabSize && tok.EosId < tok.VocabSize, "BOS/EOS outside the vocabulary");
    }

    // Both policies of --skip-bad-lines: strict, then skipping (which must count what it drops); a strict
    // rejection is rethrown for the oracle once the skipping read has been checked.
    private static void Training(string path)
    {
        ReadResult? strict = null;
        Core.Errors.Med42Exception? strictError = null;
        try { strict = DatasetReader.Read(path); }
        catch (Core.Errors.Med42Exception e) { strictError = e; }
        var lenient = DatasetReader.Read(path, skipBadLines: true);
        Check(lenient.SkippedBadRecords == lenient.Warnings.Count, "skipped records and warnings disagree");
        if (strict is not null) Check(strict.Samples.Count == lenient.Samples.Count && lenient.SkippedBadRecords == 0, "strict and skipping reads disagree");
        foreach (var s in lenient.Samples)
        {
            Check(s.Text is not null || s.Turns.Any(t => t.Role == "assistant"), $"{s.Position}: sample without text or assistant turn");
            Check(s.Turns.All(t => t.Content is not null && t.Role is "user" or "assistant"), $"{s.Position}: bad turn");
            Check(!(s.Text ?? "").Contains('\uFFFD') && !s.Turns.Any(t => t.Content.Contains('\uFFFD')), $"{s.Position}: U+FFFD substituted for bad bytes");
        }
        if (strictError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(strictError);
    }

    private static void Task(IEvalTask task)
    {
        var skipping = new BadDataLog(skipBad: true);
        IReadOnlyList<MultipleChoiceDoc>? lenient = null;
        try { lenient = task.LoadDocs(skipping); }
        catch (Core.Errors.Med42Exception) { }
        var docs = task.LoadDocs(new BadDataLog(skipBad: false));
        Check(docs.Count > 0, "an empty task was accepted");
        Check(lenient is not null && lenient.Count == docs.Count && skipping.Skipped == 0, "strict and skipping reads disagree");
        foreach (var d in docs)
        {
            Check(d.Choices.Count >= 2 && d.Gold >= 0 && d.Gold < d.Choices.Count, $"{d.Source}: gold {d.Gold} of {d.Choices.Count} choices");
            Check(!string.IsNullOrWhiteSpace(d.Prompt) && d.Choices.All(c => c is not null), $"{d.Source}: empty prompt or choice");
            Check(!d.Prompt.Contains('\uFFFD') && !d.Choices.Any(c => c.Contains('\uFFFD')), $"{d.Source}: U+FFFD substituted for bad bytes");
            task.BuildContext(d);
        }
    }

    private static void Adapter(string dir)
    {
        using var adapter = PeftAdapter.Read(dir, SeedFiles.Config);
        var c = adapter.Config;
        Check(c.Rank is >= 1 and <= LoraConfig.MaxRank, $"rank {c.Rank} accepted");
        Check(double.IsFinite(c.Alpha) && c.Alpha > 0 && double.IsFinite(c.Scale) && c.Scale <= float.MaxValue, $"lora_alpha {c.Alpha} accepted");
        Check(c.Dropout is >= 0 and < 1, $"lora_dropout {c.Dropout} accepted");
        foreach (var spec in LoraWeights.For(SeedFiles.Config, c))
            Check(FiniteCheck.FirstNonFinite(adapter.Tensors.ReadFloat32(spec.Name)) < 0, $"adapter tensor '{spec.Name}' accepted with a non-finite value");
    }

    private static void Recipe(string path)
    {
        var o = RecipeLoader.Load(path);
        foreach (var v in new[] { o.Lr, o.WarmupRatio, o.WeightDecay, o.Beta1, o.Beta2, o.Epsilon, o.MaxGradNorm, o.ValidationFraction, o.Lora.Alpha, o.Lora.Dropout })
            Check(double.IsFinite(v), $"non-finite recipe value {v} accepted");
        Check(o.Data.All(d => !string.IsNullOrWhiteSpace(d)), "empty data path accepted");
    }
}
