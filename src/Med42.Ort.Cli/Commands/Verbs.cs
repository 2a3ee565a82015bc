namespace Med42.Ort.Cli.Commands;

internal static class Verbs
{
    public static readonly Type[] All =
    [
        typeof(InfoCommand), typeof(ConvertCommand), typeof(ExportOnnxCommand), typeof(GenerateCommand),
    ];
}
