// Shared file checks for tasks: a requested task whose file is absent (or a dangling or looping
// symbolic link, or a folder) is an error naming both.
using Med42.Ort.Core.IO;

namespace Med42.Ort.Eval.Tasks;

internal static class TaskFiles
{
    public static void RequireExists(string task, string path) => InputFile.Resolve(path, $"task '{task}': data file");
}
