// Reflection over libmed42_mpi's interop surface: MpiMethods imports exactly med42_mpi.h's functions, every import is
// exported by the built library (when CMake found MPI), and every status it returns reaches MpiStatus.ThrowIfFailed
// in the calling method (IL scan, as InteropSurfaceTests does for libmed42_native). Plus the launcher detection that
// decides whether a process loads MPI at all.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Med42.Ort.Native;

namespace Med42.Ort.Native.Tests;

public class MpiInteropSurfaceTests
{
    private static readonly Type Methods = InteropSurfaceTests.MpiMethodsType;
    private static readonly Type StatusHandleType = Methods.Assembly.GetType("Med42.Ort.Native.Interop.MpiStatusHandle", throwOnError: true)!;
    private static readonly MethodInfo ThrowIfFailed = Methods.Assembly.GetType("Med42.Ort.Native.Interop.MpiStatus", throwOnError: true)!
        .GetMethod("ThrowIfFailed", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;

    private static List<(MethodInfo Method, string EntryPoint)> Imports() =>
        Methods.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(m => (m, a: m.GetCustomAttribute<LibraryImportAttribute>()))
            .Where(x => x.a is not null).Select(x => (x.m, x.a!.EntryPoint ?? x.m.Name)).ToList();

    [Fact]
    public void ImportsCoverExactlyTheFunctionsOfMed42MpiH()
    {
        var header = Path.GetFullPath(Path.Combine(SourceDir(), "..", "..", "native", "include", "med42_mpi.h"));
        Assert.True(File.Exists(header), header);
        var declared = Regex.Matches(File.ReadAllText(header), @"M42_MPI_EXPORT\s[^;(]*?\b(m42_mpi_\w+)\s*\(").Select(m => m.Groups[1].Value).ToHashSet();
        var imported = Imports().Select(i => i.EntryPoint).ToHashSet();
        Assert.True(declared.Count >= 10, $"parsed only {declared.Count} functions from med42_mpi.h");
        Assert.Empty(declared.Except(imported));
        Assert.Empty(imported.Except(declared));
    }

    private static string SourceDir([CallerFilePath] string thisFile = "") => Path.GetDirectoryName(thisFile) ?? ".";

    [SkippableFact]
    public void EveryImportIsExportedByTheLibrary()
    {
        var path = MpiProcessGroup.LibraryPath;
        Skip.If(path is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")),
            "libmed42_mpi.so was not built (no MPI found by CMake; apt-get install libopenmpi-dev)");
        Assert.NotNull(path);
        var lib = NativeLibrary.Load(path!);
        try { Assert.Empty(Imports().Where(i => !NativeLibrary.TryGetExport(lib, i.EntryPoint, out _)).Select(i => i.EntryPoint)); }
        finally { NativeLibrary.Free(lib); }
    }

    [Fact]
    public void EveryStatusReturningCallGoesThroughThrowIfFailed()
    {
        var statusImports = Imports().Where(i => i.Method.ReturnType == StatusHandleType).Select(i => i.Method).ToHashSet();
        Assert.NotEmpty(statusImports);
        var called = new HashSet<MethodInfo>();
        foreach (var type in Methods.Assembly.GetTypes().Where(t => t != Methods))
            foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                var pending = 0;
                foreach (var callee in InteropSurfaceTests.IlCalls(method))
                {
                    if (callee is MethodInfo mi && statusImports.Contains(mi)) { Assert.True(pending == 0, $"{type.Name}.{method.Name}: status dropped"); pending++; called.Add(mi); }
                    else if (callee == ThrowIfFailed && pending > 0) pending--;
                }
                Assert.True(pending == 0, $"{type.Name}.{method.Name}: an MPI status is not passed to MpiStatus.ThrowIfFailed");
            }
        Assert.Empty(statusImports.Except(called).Select(m => m.Name));
    }

    [Theory]
    [InlineData(null, null, null, null, false)]       // a plain process
    [InlineData("2", null, null, null, true)]         // mpirun -np 2
    [InlineData("1", null, null, null, false)]        // mpirun -np 1: the single-process run, without MPI
    [InlineData(null, "4", null, null, true)]         // MPICH Hydra / PMI-2
    [InlineData(null, null, "3", null, true)]         // srun job step of 3 tasks
    [InlineData(null, null, null, "0", true)]         // PMIx rank without a size variable
    [InlineData("two", null, null, null, false)]      // malformed: ignored
    public void LaunchedAsRankReadsTheLaunchersVariables(string? ompi, string? pmi, string? slurm, string? pmix, bool expected)
    {
        var env = new Dictionary<string, string?> { ["OMPI_COMM_WORLD_SIZE"] = ompi, ["PMI_SIZE"] = pmi, ["SLURM_STEP_NUM_TASKS"] = slurm, ["PMIX_RANK"] = pmix };
        Assert.Equal(expected, MpiProcessGroup.LaunchedAsRank(n => env.GetValueOrDefault(n)));
    }
}
