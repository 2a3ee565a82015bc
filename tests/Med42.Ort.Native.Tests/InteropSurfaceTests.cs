// Reflection over the interop surface of libmed42_native: src's Med42.Ort.Native (the entry points production
// calls) and tests' Med42.Ort.Native.TestSupport (the kernels only tests call) together import exactly med42.h's
// functions, each declared once; every import is exported by the built libmed42_native, handles are SafeHandles,
// and every call that returns a status (StatusHandle) is passed to NativeStatus.ThrowIfFailed in the calling method
// (IL scan). src declares only imports its own code calls.
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Med42.Ort.Native;
using Med42.Ort.Native.TestSupport;

namespace Med42.Ort.Native.Tests;

public class InteropSurfaceTests
{
    private static readonly Assembly Target = typeof(NativeKernels).Assembly;
    private static readonly Assembly TestSupport = typeof(CpuKernelCalls).Assembly;
    private static readonly Type NativeMethodsType = Target.GetType("Med42.Ort.Native.Interop.NativeMethods", throwOnError: true)!;
    private static readonly Type KernelMethodsType = TestSupport.GetType("Med42.Ort.Native.TestSupport.KernelMethods", throwOnError: true)!;
    /// <summary>libmed42_mpi's imports (med42_mpi.h), checked on their own by MpiInteropSurfaceTests.</summary>
    internal static readonly Type MpiMethodsType = Target.GetType("Med42.Ort.Native.Interop.MpiMethods", throwOnError: true)!;
    private static readonly Type StatusHandleType = Target.GetType("Med42.Ort.Native.Interop.StatusHandle", throwOnError: true)!;
    private static readonly MethodInfo ThrowIfFailed =
        Target.GetType("Med42.Ort.Native.Interop.NativeStatus", throwOnError: true)!.GetMethod("ThrowIfFailed", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;

    /// <summary>Each assembly with the one class allowed to declare its imports.</summary>
    private static readonly (Assembly Assembly, Type Imports)[] Surfaces = [(Target, NativeMethodsType), (TestSupport, KernelMethodsType)];

    private static IEnumerable<(MethodInfo Method, string EntryPoint)> Imports(Type type) =>
        type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(m => (m, m.GetCustomAttribute<LibraryImportAttribute>()))
            .Where(x => x.Item2 is not null)
            .Select(x => (x.m, x.Item2!.EntryPoint ?? x.m.Name));

    private static IEnumerable<(MethodInfo Method, string EntryPoint)> Imports() => Surfaces.SelectMany(s => Imports(s.Imports));

    [Fact]
    public void OnlyTheImportClassesDeclareImports()
    {
        var offenders = Surfaces.SelectMany(s => s.Assembly.GetTypes().Where(t => t != s.Imports && t != MpiMethodsType))
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null || m.GetCustomAttribute<DllImportAttribute>() is not null)
            .Select(m => $"{m.DeclaringType}.{m.Name}").ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void EachEntryPointIsDeclaredOnce()
    {
        var twice = Imports().GroupBy(i => i.EntryPoint).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(twice);
    }

    [SkippableFact]
    public void ImportsCoverExactlyTheFunctionsOfMed42H()
    {
        var header = HeaderPath();
        Skip.If(header is null, "native/include/med42.h not found beside the test sources");
        var declared = Regex.Matches(File.ReadAllText(header!), @"M42_EXPORT\s[^;(]*?\b(m42_\w+)\s*\(")
            .Select(m => m.Groups[1].Value).ToHashSet();
        var imported = Imports().Select(i => i.EntryPoint).ToHashSet();
        Assert.True(declared.Count >= 20, $"parsed only {declared.Count} functions from med42.h");
        Assert.Empty(declared.Except(imported));
        Assert.Empty(imported.Except(declared));
    }

    private static string? HeaderPath([CallerFilePath] string thisFile = "")
    {
        var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "..", "..", "native", "include", "med42.h"));
        return File.Exists(path) ? path : null;
    }

    [SkippableFact]
    public void EveryImportIsExportedByTheLibrary()
    {
        NativeRequired.Check();
        var path = Path.Combine(AppContext.BaseDirectory, "libmed42_native.so");
        var lib = NativeLibrary.Load(File.Exists(path) ? path : "med42_native");
        try
        {
            var missing = Imports().Where(i => !NativeLibrary.TryGetExport(lib, i.EntryPoint, out _)).Select(i => i.EntryPoint).ToList();
            Assert.Empty(missing);
        }
        finally { NativeLibrary.Free(lib); }
    }

    [Fact]
    public void HandlesAreSafeHandlesAndStatusesAreNeverRawPointers()
    {
        foreach (var (m, entry) in Imports())
        {
            if (entry.StartsWith("m42_status_", StringComparison.Ordinal) || entry == "m42_context_free") continue;  // the release functions themselves
            // Every m42_status* return is a StatusHandle; no other import returns a pointer.
            if (m.ReturnType == typeof(nint)) Assert.Fail($"{entry} returns a raw pointer");
            foreach (var p in m.GetParameters())
            {
                var t = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
                if (p.Name is "ctx" || p.ParameterType.IsByRef)
                    Assert.True(typeof(SafeHandle).IsAssignableFrom(t), $"{entry}.{p.Name} should be a SafeHandle, is {t}");
            }
        }
        Assert.True(typeof(SafeHandle).IsAssignableFrom(StatusHandleType));
    }

    [Fact]
    public void EveryStatusReturningCallGoesThroughThrowIfFailed()
    {
        foreach (var (assembly, importsType) in Surfaces)
        {
            var statusImports = Imports(importsType).Where(i => i.Method.ReturnType == StatusHandleType).Select(i => i.Method).ToHashSet();
            Assert.NotEmpty(statusImports);
            var called = new HashSet<MethodInfo>();
            foreach (var type in assembly.GetTypes().Where(t => t != importsType && t != MpiMethodsType))
                foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    var pending = 0;
                    foreach (var callee in IlCalls(method))
                    {
                        if (callee is MethodInfo mi && statusImports.Contains(mi))
                        {
                            Assert.True(pending == 0, $"{type.Name}.{method.Name}: status of a native call dropped before {mi.Name}");
                            pending++;
                            called.Add(mi);
                        }
                        else if (callee == ThrowIfFailed && pending > 0) pending--;
                    }
                    Assert.True(pending == 0, $"{type.Name}.{method.Name}: a native status is not passed to ThrowIfFailed");
                }
            // Every status-returning import is used by its own assembly: none escapes the check by being called elsewhere,
            // and src declares no entry point that only tests call.
            Assert.Empty(statusImports.Except(called).Select(m => m.Name));
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue =
        typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Methods called (call/callvirt/newobj) by a method body, in IL order.</summary>
    internal static IEnumerable<MethodBase> IlCalls(MethodInfo method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            var operandSize = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
            {
                MethodBase? callee = null;
                try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), method.DeclaringType?.GetGenericArguments(), method.GetGenericArguments()); }
                catch (ArgumentException) { }
                if (callee is not null) yield return callee;
            }
            i += operandSize;
        }
    }
}
