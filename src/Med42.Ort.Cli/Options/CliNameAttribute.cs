namespace Med42.Ort.Cli.Options;

/// <summary>
/// The spellings of a CLI-owned enum member on the command line, the first one canonical (shown in errors), the
/// others accepted as aliases: <c>[CliName("fp32", "f32", "float32")] Fp32</c>. Members without it are spelled
/// as their kebab-case name (OnnxAdapter → onnx-adapter).
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
internal sealed class CliNameAttribute(params string[] spellings) : Attribute
{
    public IReadOnlyList<string> Spellings { get; } = spellings;
}
