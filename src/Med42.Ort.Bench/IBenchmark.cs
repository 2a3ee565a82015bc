namespace Med42.Ort.Bench;

/// <summary>A `bench TARGET` program: validates first, then sweeps, prints a table and appends CSV rows.</summary>
internal interface IBenchmark
{
    /// <summary>The TARGET word ("generate", "train", "eval", "export").</summary>
    string Name { get; }
    int Run(BenchOptions options, CancellationToken cancellationToken);
}
