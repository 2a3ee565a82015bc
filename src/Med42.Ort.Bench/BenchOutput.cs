// Where a benchmark prints: tables through Spectre (the CLI passes its console) and plain lines (Markdown rows,
// the child-process JSON of train-step) through a TextWriter, which never wraps them. The default discards both,
// so the library itself never writes to the process's console.
using Spectre.Console;

namespace Med42.Ort.Bench;

public sealed record BenchOutput(IAnsiConsole Tables, TextWriter Text)
{
    public static BenchOutput Discard { get; } =
        new(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }), TextWriter.Null);
}
