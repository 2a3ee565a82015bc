// The one exception type for bad input the user can fix: the CLI prints its message on one line
// and exits non-zero. Messages name the file and the position (line, tensor, offset).
namespace Med42.Ort.Core.Errors;

public class Med42Exception : Exception
{
    public Med42Exception(string message) : base(message) { }
    public Med42Exception(string message, Exception inner) : base(message, inner) { }

    /// <summary>"file: position: message", the shape every format error takes.</summary>
    public static Med42Exception At(string file, string position, string message) => new($"{file}: {position}: {message}");

    /// <summary>
    /// "source: 'key' problem", the shape every configuration error takes. Key and Problem are kept apart so a caller
    /// that knows where the value came from can say so (the CLI names the flag that set the key, not the recipe file).
    /// </summary>
    public static Med42Exception ForKey(string source, string key, string problem) => new($"{source}: '{key}' {problem}") { Key = key, Problem = problem };

    /// <summary>The configuration key path in snake_case ("lr", "lora.rank", "runs[1].lora.rank") of an error made by ForKey.</summary>
    public string? Key { get; private init; }

    /// <summary>What is wrong with the value at <see cref="Key"/>, e.g. "must be positive, got 0".</summary>
    public string? Problem { get; private init; }
}
