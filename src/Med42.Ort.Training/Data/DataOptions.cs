// How training data is read, templated, split and packed.
namespace Med42.Ort.Training.Data;

public enum TruncationPolicy { Truncate, Error }

public sealed record DataOptions
{
    public TemplateKind Template { get; init; } = TemplateKind.Med42;
    /// <summary>System prompt when a record has none (null = the template's default).</summary>
    public string? SystemPrompt { get; init; }
    public int SeqLen { get; init; } = 512;
    /// <summary>Pack several documents per row (block-diagonal attention); false = one document per row, padded.</summary>
    public bool Packing { get; init; } = true;
    /// <summary>Loss on every token instead of assistant tokens only.</summary>
    public bool TrainOnPrompt { get; init; }
    public TruncationPolicy Truncation { get; init; } = TruncationPolicy.Truncate;
    /// <summary>Fraction of documents held out for validation (0 = none).</summary>
    public double ValidationFraction { get; init; }
    public ulong Seed { get; init; } = 42;
    public bool SkipBadLines { get; init; }
}
