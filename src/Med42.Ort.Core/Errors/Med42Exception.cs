// The one exception type for bad input the user can fix: the CLI prints its message on one line
// and exits non-zero. Messages name the file and the position (line, tensor, offset).
namespace Med42.Ort.Core.Errors;

public class Med42Exception : Exception
{
    public Med42Exception(string message) : base(message) { }
    public Med42Exception(string message, Exception inner) : base(message, inner) { }

    /// <summary>"file: position: message", the shape every format error takes.</summary>
    public static Med42Exception At(string file, string position, string message) => new($"{file}: {position}: {message}");
}
