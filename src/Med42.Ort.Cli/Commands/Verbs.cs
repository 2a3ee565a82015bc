using System.Reflection;
using CommandLine;

namespace Med42.Ort.Cli.Commands;

/// <summary>Every [Verb] class in this assembly is a command: adding a verb is adding its file.</summary>
internal static class Verbs
{
    public static readonly Type[] All = typeof(Verbs).Assembly.GetTypes()
        .Where(t => t.GetCustomAttribute<VerbAttribute>() is not null && typeof(ICommand).IsAssignableFrom(t))
        .OrderBy(t => t.GetCustomAttribute<VerbAttribute>()!.Name, StringComparer.Ordinal)
        .ToArray();
}
