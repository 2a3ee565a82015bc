// Locates ../shared/data (the real files listed in its MANIFEST.md) for tests.
// A test that needs them skips with a clear message when they are absent, but fails when CI is set.
namespace Med42.Ort.Tests.Shared;

public static class SharedData
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>Absolute path of a file under shared/data; skips (or fails under CI) when absent.</summary>
    public static string Path(string relative)
    {
        var root = Root.Value;
        var full = root is null ? null : System.IO.Path.Combine(root, relative);
        if (full is not null && (File.Exists(full) || Directory.Exists(full))) return full;
        var message = $"shared data file '{relative}' not found (looked for ../shared/data above the repository; set MED42_SHARED_DATA to override)";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            throw new InvalidOperationException(message + " — required when CI is set");
        throw new SkipException(message);
    }

    private static string? FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("MED42_SHARED_DATA");
        if (!string.IsNullOrEmpty(env)) return env;
        var repo = typeof(SharedData).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "Med42RepositoryRoot")?.Value;
        string?[] starts = [repo, AppContext.BaseDirectory];
        foreach (var start in starts.OfType<string>())
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate) && File.Exists(System.IO.Path.Combine(candidate, "MANIFEST.md"))) return candidate;
        }
        return null;
    }
}

/// <summary>A scratch folder deleted when disposed.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("med42-test-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
