// The valid inputs every mutant starts from, generated here (never copied from ../shared/data): a tiny
// random Llama in each checkpoint format, tokenizers, training and benchmark data, a PEFT adapter and a
// recipe. Each seed is a folder of files of which one, the target, is mutated; the others are the
// companions the reader needs (config.json beside model.safetensors, the adapter's weights beside its
// config). Deterministic: the same bytes on every run and machine.
using System.Text;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Tensors;
using Med42.Ort.Core.Tokenizers;
using Med42.Ort.Llama;
using Med42.Ort.Llama.Checkpoints;
using Med42.Ort.Llama.Lora;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Fuzz.Tests.Seeds;

/// <summary>A folder of files (relative name → bytes) and the one to mutate.</summary>
public sealed record Seed(IReadOnlyDictionary<string, byte[]> Files, string Target)
{
    public void WriteTo(string dir, byte[]? target = null)
    {
        foreach (var (name, bytes) in Files)
            File.WriteAllBytes(Path.Combine(dir, name), name == Target && target is not null ? target : bytes);
    }
}

public static class SeedFiles
{
    /// <summary>2 layers, 4 heads of dimension 4 (2 KV heads), vocabulary 32: every weight is a few hundred bytes.</summary>
    public static readonly LlamaConfig Config = new()
    {
        HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 32, MaxPositionEmbeddings = 32, TieWordEmbeddings = false,
    };

    public static readonly LoraConfig Lora = new() { Rank = 2, Alpha = 4, Dropout = 0.05, Targets = ["q_proj", "v_proj"] };

    private static InMemoryTensorStore Weights() => TinyLlama.Create(Config, seed: 7, std: 0.1f);

    public static Seed Llama2cBin() => Scratch(dir =>
    {
        Llama2cCheckpoint.Write(Path.Combine(dir, "model.bin"), Config with { TieWordEmbeddings = true }, TinyLlama.Create(Config with { TieWordEmbeddings = true }, 7, 0.1f));
        return "model.bin";
    });

    /// <summary>An HF folder (config.json + model.safetensors + generation_config.json); <paramref name="target"/> picks the file to mutate.</summary>
    public static Seed HfFolder(string target) => Scratch(dir =>
    {
        HfFolderWriter.Save(Path.Combine(dir, "hf"), Config, Weights(), DType.F32);
        foreach (var f in Directory.GetFiles(Path.Combine(dir, "hf"))) File.Move(f, Path.Combine(dir, Path.GetFileName(f)));
        Directory.Delete(Path.Combine(dir, "hf"));
        return target;
    });

    public static Seed Gguf() => Single("model.gguf", TinyGguf.Build(Config, Weights()));

    public static Seed TokenizerModel() => Single("tokenizer.model", SentencePieceProto.Build());

    public static Seed TokenizerJson() => Scratch(dir =>
    {
        HfTokenizerJson.Write(SentencePieceModel.Parse(SentencePieceProto.Build(), "seed"), dir);
        foreach (var extra in new[] { HfTokenizerJson.ConfigFile, HfTokenizerJson.SpecialTokensFile }) File.Delete(Path.Combine(dir, extra));
        return HfTokenizerJson.TokenizerFile;
    });

    public static Seed TrainingJsonl() => Text("train.jsonl", """
        {"messages": [{"role": "system", "content": "You are a careful clinician."}, {"role": "user", "content": "What lowers LDL?"}, {"role": "assistant", "content": "Statins."}]}
        {"instruction": "Answer this question truthfully", "input": "What are the symptoms of anaemia?", "output": "Fatigue and pallor (also café-au-lait? no)."}

        {"text": "Aspirin inhibits COX-1 and COX-2 — irreversibly."}
        """);

    public static Seed TrainingJson() => Text("train.json", """
        [
          {"instruction": "Answer this question truthfully", "input": "What is hypertension?", "output": "Persistently raised blood pressure."},
          {"instruction": "Define tachycardia.", "input": "", "output": "A heart rate above 100 beats per minute."},
          {"instruction": "Name a β-blocker.", "output": "Metoprolol."}
        ]
        """);

    public static Seed MedQa() => Text("test.jsonl", """
        {"question": "A 21-year-old man has fever and knee pain. Which organism?", "answer": "Neisseria", "options": {"A": "Chlamydia", "B": "Neisseria", "C": "Borrelia", "D": "Staphylococcus"}, "meta_info": "step1", "answer_idx": "B"}
        {"sent1": "Which vitamin deficiency causes scurvy?", "ending0": "A", "ending1": "B12", "ending2": "C", "ending3": "D", "label": 2}
        """);

    public static Seed MedMcqa() => Text("dev.json", """
        {"question": "Which of the following is not true for myelinated nerve fibers:", "exp": null, "cop": 1, "opa": "Impulse is slower", "opb": "Saltatory conduction", "opc": "Less energy", "opd": "Nodes of Ranvier", "subject_name": "Physiology", "topic_name": null, "id": "a1", "choice_type": "multi"}
        {"question": "Drug of choice for absence seizures?", "exp": "Ethosuximide.", "cop": 4, "opa": "Phenytoin", "opb": "Carbamazepine", "opc": "Phenobarbital", "opd": "Ethosuximide", "subject_name": "Pharmacology", "topic_name": "CNS", "id": "a2", "choice_type": "single"}
        """);

    public static Seed PubMedQa() => Text("test.json", """
        {
            "10808977": {
                "QUESTION": "Can tailored interventions increase mammography use among HMO women?",
                "CONTEXTS": ["Telephone counseling was compared with usual care.", "Use rose in the tailored arm."],
                "LABELS": ["BACKGROUND", "RESULTS"],
                "YEAR": "2000",
                "final_decision": "yes",
                "LONG_ANSWER": "Yes."
            },
            "21645374": {
                "QUESTION": "Do mitochondria play a role in remodelling lace plant leaves?",
                "CONTEXTS": ["Programmed cell death was imaged."],
                "final_decision": "maybe"
            }
        }
        """);

    public static Seed MmluCsv() => Text("anatomy_test.csv",
        "What is the embryological origin of the hyoid bone?,The first pharyngeal arch,The first and second pharyngeal arches,The second pharyngeal arch,The second and third pharyngeal arches,D\n" +
        "\"Which nerve, if cut, causes \"\"wrist drop\"\"?\",Median,Ulnar,Radial,\"Axillary\nnerve\",C\r\n" +
        "Which bone is sesamoid?,Patella,Femur,Tibia,Fibula,A");

    /// <summary>A PEFT folder (adapter_config.json + adapter_model.safetensors) for <see cref="Config"/>; <paramref name="target"/> picks the file to mutate.</summary>
    public static Seed PeftAdapter(string target) => Scratch(dir =>
    {
        var rng = new Core.Randomness.SplitMix64(11);
        var tensors = new InMemoryTensorStore("<seed adapter>");
        foreach (var spec in LoraWeights.For(Config, Lora))
            tensors.AddFloat(spec.Name, spec.Shape, Enumerable.Range(0, (int)spec.ElementCount).Select(_ => (float)(rng.NextNormal() * 0.1)).ToArray());
        Llama.Lora.PeftAdapter.Write(Path.Combine(dir, "a"), Config, Lora, tensors, "tiny/base");
        foreach (var f in Directory.GetFiles(Path.Combine(dir, "a"))) File.Move(f, Path.Combine(dir, Path.GetFileName(f)));
        Directory.Delete(Path.Combine(dir, "a"));
        return target;
    });

    public static Seed RecipeYaml() => Text("recipe.yaml", """
        # LoRA fine-tuning of a tiny model (a fuzz seed)
        model: models/tiny
        data: [data/a.jsonl, "data/b.json"]
        out: runs/tiny-lora
        mode: lora
        lora:
          rank: 8
          alpha: 16
          dropout: 0.05
          targets: [q_proj, k_proj, v_proj]
        template: med42
        seq_len: 128
        packing: true
        batch_size: 2
        grad_accum: 4
        epochs: 1
        lr: 2.0e-4
        schedule: cosine
        warmup_ratio: 0.03
        max_grad_norm: 1.0
        validation_fraction: 0.1
        keep_last: 2
        seed: 42
        """);

    private static Seed Single(string name, byte[] bytes) => new(new Dictionary<string, byte[]> { [name] = bytes }, name);

    private static Seed Text(string name, string text) => Single(name, Encoding.UTF8.GetBytes(text));

    // Lets a product writer produce the seed in a scratch folder, then keeps the folder's bytes.
    private static Seed Scratch(Func<string, string> write)
    {
        var dir = Directory.CreateTempSubdirectory("med42-seed-").FullName;
        try
        {
            var target = write(dir);
            var files = Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);
            return new Seed(files, target);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
