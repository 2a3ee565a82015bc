// ggml's own C functions from the libggml-base.so LLamaSharp loaded (exported by ggml: gguf.h's
// reader, ggml-quants.h's reference quantisers and dequantisers, ggml.h's fp16 rows), called through
// function pointers: the independent reader and block codec our GGUF writer and GgmlQuants are checked
// against. The library is found by its soname once llama.cpp is loaded (dlopen returns the loaded copy).
using System.Runtime.InteropServices;
using System.Text;

namespace Med42.Ort.Export.Tests.Gguf;

internal static unsafe class Ggml
{
    private static readonly Lazy<nint> Library = new(() =>
    {
        // Loading any model makes LLamaSharp pick and load its native set (llama, ggml, ggml-base) first.
        using (LlamaCpp.LoadVocabulary(Stories260KGguf.Path(Export.Gguf.GgufQuant.F32))) { }
        return NativeLibrary.Load(OperatingSystem.IsWindows() ? "ggml-base.dll" : OperatingSystem.IsMacOS() ? "libggml-base.dylib" : "libggml-base.so");
    });

    private static nint Fn(string name) => NativeLibrary.GetExport(Library.Value, name);

    [StructLayout(LayoutKind.Sequential)]
    private struct InitParams
    {
        public byte NoAlloc;
        public nint Ctx;
    }

    public static void QuantizeRowQ8_0Ref(ReadOnlySpan<float> x, Span<byte> y) => Row(Fn("quantize_row_q8_0_ref"), x, y);
    public static void QuantizeRowQ4_0Ref(ReadOnlySpan<float> x, Span<byte> y) => Row(Fn("quantize_row_q4_0_ref"), x, y);

    public static void DequantizeRowQ8_0(ReadOnlySpan<byte> x, Span<float> y) => Dequantize(Fn("dequantize_row_q8_0"), x, y);
    public static void DequantizeRowQ4_0(ReadOnlySpan<byte> x, Span<float> y) => Dequantize(Fn("dequantize_row_q4_0"), x, y);

    public static void Fp16ToFp32Row(ReadOnlySpan<byte> x, Span<float> y) => Dequantize(Fn("ggml_fp16_to_fp32_row"), x, y);

    private static void Row(nint fn, ReadOnlySpan<float> x, Span<byte> y)
    {
        fixed (float* px = x)
        fixed (byte* py = y)
            ((delegate* unmanaged[Cdecl]<float*, byte*, long, void>)fn)(px, py, x.Length);
    }

    private static void Dequantize(nint fn, ReadOnlySpan<byte> x, Span<float> y)
    {
        fixed (byte* px = x)
        fixed (float* py = y)
            ((delegate* unmanaged[Cdecl]<byte*, float*, long, void>)fn)(px, py, y.Length);
    }

    /// <summary>A file parsed by ggml's gguf_init_from_file (metadata only, no tensor data loaded).</summary>
    public sealed class GgufContext : IDisposable
    {
        private readonly nint _ctx;

        public GgufContext(string path)
        {
            var name = Encoding.UTF8.GetBytes(path + "\0");
            fixed (byte* p = name)
                _ctx = ((delegate* unmanaged[Cdecl]<byte*, InitParams, nint>)Fn("gguf_init_from_file"))(p, new InitParams { NoAlloc = 1 });
            if (_ctx == 0) throw new InvalidOperationException($"ggml's gguf_init_from_file rejected {path}");
        }

        public long DataOffset => (long)((delegate* unmanaged[Cdecl]<nint, nuint>)Fn("gguf_get_data_offset"))(_ctx);
        public long TensorCount => ((delegate* unmanaged[Cdecl]<nint, long>)Fn("gguf_get_n_tensors"))(_ctx);
        public long KeyCount => ((delegate* unmanaged[Cdecl]<nint, long>)Fn("gguf_get_n_kv"))(_ctx);
        public uint Alignment => (uint)((delegate* unmanaged[Cdecl]<nint, nuint>)Fn("gguf_get_alignment"))(_ctx);

        public string Key(long id) => Str(((delegate* unmanaged[Cdecl]<nint, long, byte*>)Fn("gguf_get_key"))(_ctx, id));
        public int KeyType(long id) => ((delegate* unmanaged[Cdecl]<nint, long, int>)Fn("gguf_get_kv_type"))(_ctx, id);
        public int ArrayType(long id) => ((delegate* unmanaged[Cdecl]<nint, long, int>)Fn("gguf_get_arr_type"))(_ctx, id);
        public long ArrayLength(long id) => (long)((delegate* unmanaged[Cdecl]<nint, long, nuint>)Fn("gguf_get_arr_n"))(_ctx, id);

        public long FindKey(string key)
        {
            var k = Encoding.UTF8.GetBytes(key + "\0");
            fixed (byte* p = k) return ((delegate* unmanaged[Cdecl]<nint, byte*, long>)Fn("gguf_find_key"))(_ctx, p);
        }

        public uint U32(string key) => ((delegate* unmanaged[Cdecl]<nint, long, uint>)Fn("gguf_get_val_u32"))(_ctx, Id(key));
        public float F32(string key) => ((delegate* unmanaged[Cdecl]<nint, long, float>)Fn("gguf_get_val_f32"))(_ctx, Id(key));
        public bool Bool(string key) => ((delegate* unmanaged[Cdecl]<nint, long, byte>)Fn("gguf_get_val_bool"))(_ctx, Id(key)) != 0;
        public string String(string key) => Str(((delegate* unmanaged[Cdecl]<nint, long, byte*>)Fn("gguf_get_val_str"))(_ctx, Id(key)));
        public string ArrayString(string key, long i) => Str(((delegate* unmanaged[Cdecl]<nint, long, nuint, byte*>)Fn("gguf_get_arr_str"))(_ctx, Id(key), (nuint)i));

        public string TensorName(long id) => Str(((delegate* unmanaged[Cdecl]<nint, long, byte*>)Fn("gguf_get_tensor_name"))(_ctx, id));
        public int TensorType(long id) => ((delegate* unmanaged[Cdecl]<nint, long, int>)Fn("gguf_get_tensor_type"))(_ctx, id);
        public long TensorOffset(long id) => (long)((delegate* unmanaged[Cdecl]<nint, long, nuint>)Fn("gguf_get_tensor_offset"))(_ctx, id);
        public long TensorSize(long id) => (long)((delegate* unmanaged[Cdecl]<nint, long, nuint>)Fn("gguf_get_tensor_size"))(_ctx, id);

        public long FindTensor(string name)
        {
            var k = Encoding.UTF8.GetBytes(name + "\0");
            fixed (byte* p = k) return ((delegate* unmanaged[Cdecl]<nint, byte*, long>)Fn("gguf_find_tensor"))(_ctx, p);
        }

        private long Id(string key) => FindKey(key) is var id and >= 0 ? id : throw new KeyNotFoundException($"ggml finds no key '{key}'");

        private static string Str(byte* s) => Marshal.PtrToStringUTF8((nint)s) ?? "";

        public void Dispose() => ((delegate* unmanaged[Cdecl]<nint, void>)Fn("gguf_free"))(_ctx);
    }
}
