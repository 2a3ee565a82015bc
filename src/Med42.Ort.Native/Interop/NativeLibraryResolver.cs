// Finds libmed42_native (and libmed42_mpi) for the [LibraryImport]s of this assembly: beside the assembly, then under
// runtimes/<rid>/native (NuGet layout), then $MED42_NATIVE_DIR, then the OS search path. Registered
// once by a module initializer, before any P/Invoke of this assembly can run.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Med42.Ort.Native.Interop;

internal static class NativeLibraryResolver
{
    // CA2255 warns libraries off module initializers; registering the resolver of this assembly's own
    // imports before any of them can run is exactly the case it exists for.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => RegisterFor(typeof(NativeLibraryResolver).Assembly);

    /// <summary>Resolves libmed42_native for <paramref name="assembly"/>'s imports (this one's, and the test-support assembly's).</summary>
    internal static void RegisterFor(Assembly assembly) => NativeLibrary.SetDllImportResolver(assembly, Resolve);

    /// <summary>File name of a native library on this OS (libX.so, libX.dylib, X.dll).</summary>
    public static string FileName(string name) =>
        OperatingSystem.IsWindows() ? name + ".dll" : OperatingSystem.IsMacOS() ? "lib" + name + ".dylib" : "lib" + name + ".so";

    /// <summary>Candidate full paths, in search order.</summary>
    public static IEnumerable<string> Candidates(string name)
    {
        var file = FileName(name);
        var dirs = new List<string>();
        var env = Environment.GetEnvironmentVariable("MED42_NATIVE_DIR");
        var asmDir = Path.GetDirectoryName(typeof(NativeLibraryResolver).Assembly.Location);
        foreach (var baseDir in new[] { asmDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(baseDir)) continue;
            dirs.Add(baseDir);
            dirs.Add(Path.Combine(baseDir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"));
            dirs.Add(Path.Combine(baseDir, "runtimes", "linux-x64", "native"));
        }
        if (!string.IsNullOrEmpty(env)) dirs.Add(env);
        return dirs.Distinct().Select(d => Path.Combine(d, file));
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.Library && name != MpiMethods.Library) return nint.Zero;
        foreach (var path in Candidates(name))
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle)) return handle;
        return NativeLibrary.TryLoad(name, assembly, searchPath, out var fallback) ? fallback : nint.Zero;
    }
}
