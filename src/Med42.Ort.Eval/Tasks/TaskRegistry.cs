// Resolves task and group names ("medqa_4options", "mmlu_anatomy", "mmlu_medical", "medical",
// or a --task-file name) into configured tasks. Unknown names are an error listing what exists.
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Eval.Tasks;

/// <summary>Options that shape how tasks read and prompt.</summary>
public sealed record TaskOptions
{
    public int NumFewshot { get; init; }
    public MmluStyle MmluStyle { get; init; } = MmluStyle.Letter;
    public CopBase MedMcqaCopBase { get; init; } = CopBase.Auto;
}

public sealed class TaskRegistry
{
    public const string MedicalGroup = "medical";
    public const string MmluMedicalGroup = "mmlu_medical";

    private readonly EvalDataLayout _layout;
    private readonly TaskOptions _options;

    public TaskRegistry(EvalDataLayout layout, TaskOptions? options = null)
    {
        _layout = layout;
        _options = options ?? new TaskOptions();
    }

    public static IReadOnlyList<string> MmluTaskNames { get; } = MmluTask.MedicalSubjects.Select(s => "mmlu_" + s).ToArray();

    /// <summary>Built-in task names, in report order.</summary>
    public static IReadOnlyList<string> BuiltInTasks { get; } = [MedQaTask.TaskName, MedMcqaTask.TaskName, PubMedQaTask.TaskName, .. MmluTaskNames];

    /// <summary>Group name → member tasks.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [MedicalGroup] = BuiltInTasks,
        [MmluMedicalGroup] = MmluTaskNames,
    };

    /// <summary>Group name → direct children (tasks or groups), the harness's group_subtasks: medical holds the mmlu_medical subgroup.</summary>
    public static IReadOnlyDictionary<string, HarnessGroupSpec> GroupSpecs { get; } = new Dictionary<string, HarnessGroupSpec>
    {
        [MedicalGroup] = new(MedicalGroup, [MedQaTask.TaskName, MedMcqaTask.TaskName, PubMedQaTask.TaskName, MmluMedicalGroup], "1.0"),
        [MmluMedicalGroup] = new(MmluMedicalGroup, MmluTaskNames, "1.0"),
    };

    /// <summary>Task names the user may name: built-ins plus --task-file names.</summary>
    public IReadOnlyList<string> AvailableTasks =>
        [.. BuiltInTasks, .. (_layout.TaskFiles?.Keys ?? []).Where(k => !BuiltInTasks.Contains(k) && !Groups.ContainsKey(k)).Order(StringComparer.Ordinal)];

    /// <summary>Splits "a,b" and expands groups; returns (tasks in order without duplicates, groups requested with their subgroups).</summary>
    public (IReadOnlyList<string> Tasks, IReadOnlyList<string> Groups) Expand(IEnumerable<string> names)
    {
        var tasks = new List<string>();
        var groups = new List<string>();
        var available = AvailableTasks;
        foreach (var name in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (Groups.TryGetValue(name, out var members))
            {
                // Subgroups first (children before parents, as the harness aggregates), then the group itself.
                foreach (var sub in GroupSpecs[name].Children.Where(GroupSpecs.ContainsKey)) if (!groups.Contains(sub)) groups.Add(sub);
                if (!groups.Contains(name)) groups.Add(name);
                foreach (var m in members) if (!tasks.Contains(m)) tasks.Add(m);
            }
            else if (available.Contains(name)) { if (!tasks.Contains(name)) tasks.Add(name); }
            else
                throw new Med42Exception($"--tasks: unknown task '{name}'; available tasks: {string.Join(", ", available)}; groups: {string.Join(", ", Groups.Keys)}");
        }
        if (tasks.Count == 0) throw new Med42Exception("--tasks: no task named");
        return (tasks, groups);
    }

    /// <summary>Creates the configured task for one expanded name.</summary>
    public IEvalTask Create(string name)
    {
        if (name == MedQaTask.TaskName) return new MedQaTask(_layout.MedQa);
        if (name == MedMcqaTask.TaskName) return new MedMcqaTask(_layout.MedMcqa, _options.MedMcqaCopBase);
        if (name == PubMedQaTask.TaskName)
        {
            var (data, gt) = _layout.PubMedQa;
            return new PubMedQaTask(data, gt);
        }
        if (name.StartsWith("mmlu_", StringComparison.Ordinal) && MmluTask.MedicalSubjects.Contains(name["mmlu_".Length..]))
        {
            var subject = name["mmlu_".Length..];
            return new MmluTask(subject, _layout.MmluTest(subject), _options.NumFewshot > 0 ? _layout.MmluDev(subject) : null,
                _options.NumFewshot, _options.MmluStyle);
        }
        if (_layout.Override(name) is { } path) return new GenericJsonlTask(name, path);
        throw new Med42Exception($"--tasks: unknown task '{name}'; available tasks: {string.Join(", ", AvailableTasks)}");
    }
}
