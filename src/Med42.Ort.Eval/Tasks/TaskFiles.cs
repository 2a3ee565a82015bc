// Shared file checks for tasks: a requested task whose file is absent is an error naming both.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Eval.Tasks;

internal static class TaskFiles
{
    public static void RequireExists(string task, string path)
    {
        if (!File.Exists(path)) throw new Med42Exception($"{path}: task '{task}': data file not found");
    }
}
