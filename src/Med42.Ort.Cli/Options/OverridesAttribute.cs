namespace Med42.Ort.Cli.Options;

/// <summary>
/// Marks a flag as overriding one field of the verb's recipe record, named by its property path:
/// <c>[Overrides(nameof(TrainOptions.Lora), nameof(LoraConfig.Rank))]</c> on --lora-rank. <see cref="FlagOverlay"/>
/// applies every flag that was given and leaves the recipe's value for every flag that was not.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OverridesAttribute(params string[] path) : Attribute
{
    public IReadOnlyList<string> Path { get; } = path;
}
