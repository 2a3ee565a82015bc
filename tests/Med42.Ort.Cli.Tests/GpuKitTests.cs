// The GPU run kit (tools/gpu/kit): built here, carried to the GPU machine in chunks, reassembled there.
// This test builds a CPU-flavour kit with small chunks, feeds the chunks to receive.sh one call at a time
// (as the device calls do), and checks that the reassembled application is the published one, byte for
// byte, and that it runs. Slow: a self-contained publish and an xz pass take minutes on 2 cores.
using System.Diagnostics;
using System.Security.Cryptography;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Cli.Tests;

[Trait("Category", "Slow")]
public sealed class GpuKitTests
{
    private static string RepositoryRoot => typeof(GpuKitTests).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().First(a => a.Key == "Med42RepositoryRoot").Value!;

    [Fact]
    public void Kit_splits_into_small_chunks_reassembles_bit_identically_and_runs()
    {
        using var tmp = new TempDir();
        var kit = tmp.File("kit");
        var publish = tmp.File("publish");
        // Publish once ourselves so the reassembled tree can be compared with what went in.
        Bash($"dotnet publish src/Med42.Ort.Cli -c Release -r linux-x64 --self-contained -p:OrtFlavour=cpu -o '{publish}' -nologo -v q");
        // 16 MiB chunks (the real kit uses 60): the CPU kit is ~60 MiB packed, so this exercises several parts.
        Bash($"bash tools/gpu/kit/pack.sh --flavour cpu --chunk-mib 16 --out '{kit}'", ("MED42_KIT_PUBLISHED", publish));

        var parts = Directory.GetFiles(kit, "kit.tar.xz.*").Order(StringComparer.Ordinal).ToList();
        Assert.True(parts.Count >= 2, $"expected several chunks, got {parts.Count}");
        Assert.All(parts, p => Assert.True(new FileInfo(p).Length <= 16L << 20, $"{p} is over 16 MiB"));

        // One device call per chunk: each carries MANIFEST and its own chunk only.
        var home = tmp.File("home");
        for (var i = 0; i < parts.Count; i++)
        {
            var call = tmp.File($"call{i}");
            Directory.CreateDirectory(call);
            File.Copy(Path.Combine(kit, "MANIFEST"), Path.Combine(call, "MANIFEST"));
            File.Copy(parts[i], Path.Combine(call, Path.GetFileName(parts[i])));
            var said = Bash($"bash tools/gpu/kit/receive.sh '{call}'", ("MED42_KIT_HOME", home));
            Assert.Contains(i == parts.Count - 1 ? "kit: ready" : $"kit: {i + 1}/{parts.Count} parts", said);
        }

        var app = Path.Combine(home, "app");
        var expected = TreeHashes(publish).Where(kv => !kv.Key.EndsWith(".pdb", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(expected.OrderBy(kv => kv.Key), TreeHashes(app).OrderBy(kv => kv.Key));

        var version = Bash($"'{Path.Combine(app, "med42")}' --version");
        Assert.Contains("med42", version);
    }

    [Fact]
    public void A_corrupted_chunk_is_refused()
    {
        using var tmp = new TempDir();
        var call = tmp.File("call");
        Directory.CreateDirectory(call);
        File.WriteAllBytes(Path.Combine(call, "kit.tar.xz.00"), [1, 2, 3]);
        File.WriteAllText(Path.Combine(call, "MANIFEST"),
            "flavour cpu\ncommit test\nparts 1\n" + new string('0', 64) + "  kit.tar.xz\n" + new string('0', 64) + "  kit.tar.xz.00\n");
        var (code, output) = BashRaw($"bash tools/gpu/kit/receive.sh '{call}'", ("MED42_KIT_HOME", tmp.File("home")));
        Assert.Equal(1, code);
        Assert.Contains("does not match MANIFEST", output);
    }

    private static Dictionary<string, string> TreeHashes(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(root, f),
            f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static string Bash(string command, params (string Name, string Value)[] env)
    {
        var (code, output) = BashRaw(command, env);
        Assert.True(code == 0, $"`{command}` exited {code}:\n{output}");
        return output;
    }

    private static (int Code, string Output) BashRaw(string command, params (string Name, string Value)[] env)
    {
        var psi = new ProcessStartInfo("bash", ["-c", command + " 2>&1"])
        {
            WorkingDirectory = RepositoryRoot, RedirectStandardOutput = true, RedirectStandardInput = true,
        };
        foreach (var (name, value) in env) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish in 20 minutes");
        }
        return (p.ExitCode, output.Result);
    }
}
