// Coverage-guided fuzzing of the binary readers (llama2.c .bin, safetensors, GGUF, tokenizer.model, PEFT
// adapter weights) under SharpFuzz, with the same seeds, consumers and oracle as the in-repo fuzz suite
// (tests/Med42.Ort.Fuzz.Tests): an input is accepted with finite, valid values, or rejected with a one-line
// Med42Exception naming the file and a position; anything else is rethrown so the fuzzer records a crash.
// How to build, instrument and run it: tools/fuzz/README.md.
using Med42.Ort.Fuzz.Tests.Harness;
using Med42.Ort.Fuzz.Tests.Mutation;
using SharpFuzz;

namespace Med42.Ort.Fuzz;

public static class Program
{
    /// <summary>The kinds worth coverage guidance: binary formats whose parsers branch on every byte.</summary>
    public static readonly string[] BinaryKinds = ["llama2c-bin", "safetensors", "gguf", "tokenizer-model", "peft-weights"];

    public static int Main(string[] args)
    {
        if (args is ["--write-corpus", var dir]) return WriteCorpus(dir);
        var name = Environment.GetEnvironmentVariable("MED42_FUZZ_KIND");
        var kind = InputKinds.All.SingleOrDefault(k => k.Name == name && BinaryKinds.Contains(k.Name));
        if (kind is null)
        {
            Console.Error.WriteLine($"med42-fuzz: set MED42_FUZZ_KIND to one of {string.Join(", ", BinaryKinds)} (see tools/fuzz/README.md)");
            return 2;
        }
        var work = Directory.CreateTempSubdirectory($"med42-fuzz-{kind.Name}-").FullName;
        // Built on the first input, inside the fuzzer's callback: instrumented code (the product assemblies the
        // seeds are written with) must not run before SharpFuzz has set up its coverage map.
        Tests.Seeds.Seed? seed = null;
        void One(byte[] input)
        {
            seed ??= kind.Seed();
            seed.WriteTo(work, input);
            try { kind.Consume(work, seed.Target); }
            catch (Exception e)
            {
                var verdict = FuzzOracle.Classify(e, work);
                if (verdict.Outcome == Outcome.Failed) throw new InvalidOperationException(verdict.Detail, e);
            }
        }
        switch (args)
        {
            case ["--replay", .. var files]:
                foreach (var f in files) One(File.ReadAllBytes(f));
                Console.WriteLine($"{files.Length} inputs: no oracle failure");
                return 0;
            case ["--afl"]:
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var ms = new MemoryStream();
                    stream.CopyTo(ms);
                    One(ms.ToArray());
                });
                return 0;
            default:
                Fuzzer.LibFuzzer.Run(span => One(span.ToArray()));
                return 0;
        }
    }

    // The corpus: each kind's seed plus a few accepted mutants of it, so the fuzzer starts from valid files
    // that already differ in the header fields it will explore. Deterministic: regenerating gives the same bytes.
    private static int WriteCorpus(string dir)
    {
        foreach (var name in BinaryKinds)
        {
            var kind = InputKinds.All.Single(k => k.Name == name);
            var seed = kind.Seed();
            var target = seed.Files[seed.Target];
            var folder = Path.Combine(dir, name);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "seed" + Path.GetExtension(seed.Target)), target);
            var kept = 0;
            for (var s = 1UL; kept < 3 && s < 500; s++)
            {
                var (bytes, _) = new Mutator(s).Mutate(target, kind.Shape);
                if (FuzzOracle.Judge(kind, seed, bytes).Outcome != Outcome.Accepted) continue;
                File.WriteAllBytes(Path.Combine(folder, $"accepted-{s}{Path.GetExtension(seed.Target)}"), bytes);
                kept++;
            }
            Console.WriteLine($"{name}: seed + {kept} accepted mutants ({target.Length} bytes each) in {folder}");
        }
        return 0;
    }
}
