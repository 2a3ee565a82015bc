using System.Reflection;

namespace Med42.Ort.Cli.Options;

/// <summary>
/// Names where the defaults of a verb's [Overrides] flags live: a fresh instance of the recipe record
/// (<c>[DefaultsFrom(typeof(TrainOptions))]</c>), or a static factory the verb starts from when no recipe is given
/// (<c>[DefaultsFrom(typeof(StudyDefaults), nameof(StudyDefaults.Embedded))]</c>, optional parameters at their
/// defaults). Help reads them from there, so no default is written twice.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
internal sealed class DefaultsFromAttribute(Type type, string? factory = null) : Attribute
{
    public Type Type { get; } = type;

    public string? Factory { get; } = factory;

    /// <summary>The record holding the defaults.</summary>
    public object Create()
    {
        if (Factory is null) return Activator.CreateInstance(Type) ?? throw new InvalidOperationException($"{Type.Name}: no instance");
        var method = Type.GetMethod(Factory, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException($"{Type.Name}.{Factory}: no such static method");
        return method.Invoke(null, method.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : throw new InvalidOperationException($"{Type.Name}.{Factory}: parameter {p.Name} has no default")).ToArray())
            ?? throw new InvalidOperationException($"{Type.Name}.{Factory} returned null");
    }
}
