// Training checkpoints: params.safetensors, optimizer.safetensors ("exp_avg.<name>", "exp_avg_sq.<name>")
// and trainer_state.json. A checkpoint folder is written under a temporary sibling name and renamed
// into place, so a folder with the final name is always complete; keeping the last K deletes older ones (renamed away
// first, so a kill mid-delete never leaves a partial step folder). Test: Training.Tests/Trainer/CheckpointIoTests.
using System.Text.Json;
using Med42.Ort.Core.Checkpoints;
using Med42.Ort.Core.Errors;
using Med42.Ort.Core.IO;
using Med42.Ort.Core.Tensors;

namespace Med42.Ort.Training.Trainer;

/// <summary>Everything besides the float buffers needed to continue a run exactly.</summary>
public sealed record TrainerState
{
    public int Step { get; init; }
    public int Epoch { get; init; }
    public int Row { get; init; }
    /// <summary>SplitMix64 state of the LoRA dropout masks.</summary>
    public ulong DropoutRng { get; init; }
    public long TokensSeen { get; init; }
    public double? LastLoss { get; init; }
}

public static class CheckpointIo
{
    public const string ParamsFile = "params.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "trainer_state.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Save(string dir, TrainingState state, TrainerState trainer)
    {
        OutputFolder.Replace(dir, tmp =>
        {
            SafetensorsWriter.Write(Path.Combine(tmp, ParamsFile), state.ToStore());
            var opt = new InMemoryTensorStore("<optimizer>");
            foreach (var p in state.Parameters)
            {
                opt.AddFloat("exp_avg." + p.Name, p.Spec.Shape, p.M);
                opt.AddFloat("exp_avg_sq." + p.Name, p.Spec.Shape, p.V);
            }
            SafetensorsWriter.Write(Path.Combine(tmp, OptimizerFile), opt);
            File.WriteAllText(Path.Combine(tmp, StateFile), JsonSerializer.Serialize(trainer, Json));
        });
    }

    /// <summary>Loads a checkpoint into <paramref name="state"/>'s buffers (names and shapes must match).</summary>
    public static TrainerState Load(string dir, TrainingState state)
    {
        var statePath = Path.Combine(dir, StateFile);
        if (!File.Exists(statePath)) throw new Med42Exception($"{dir}: not a training checkpoint ({StateFile} missing)");
        TrainerState trainer;
        try { trainer = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(statePath), Json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new Med42Exception($"{statePath}: {e.Message}"); }
        using var ps = SafetensorsFile.Open(Path.Combine(dir, ParamsFile));
        using var os = SafetensorsFile.Open(Path.Combine(dir, OptimizerFile));
        foreach (var p in state.Parameters)
        {
            Read(ps, p.Name, p.Values, p.Spec.Shape);
            Read(os, "exp_avg." + p.Name, p.M, p.Spec.Shape);
            Read(os, "exp_avg_sq." + p.Name, p.V, p.Spec.Shape);
        }
        return trainer;
    }

    private static void Read(ITensorStore store, string name, float[] dest, long[] shape)
    {
        var info = store.Info(name);
        if (info.DType != DType.F32 || !info.Shape.SequenceEqual(shape))
            throw new Med42Exception($"{store.Source}: tensor '{name}' is {info.DType}{info.ShapeText}, expected F32[{string.Join(",", shape)}]");
        store.ReadBytes(name, System.Runtime.InteropServices.MemoryMarshal.AsBytes(dest.AsSpan()));
    }

    /// <summary>Checkpoint folders "step-NNNNNNNN" under <paramref name="root"/>, oldest first.</summary>
    public static IReadOnlyList<string> List(string root) =>
        Directory.Exists(root)
            ? Directory.GetDirectories(root, "step-*").Where(d => File.Exists(Path.Combine(d, StateFile))).Order(StringComparer.Ordinal).ToList()
            : [];

    public static string StepFolder(string root, int step) => Path.Combine(root, $"step-{step:D8}");

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints, sparing <paramref name="spare"/> (the
    /// checkpoint a divergence message would recommend) even when it is older.</summary>
    public static void KeepLast(string root, int keep, string? spare = null)
    {
        var all = List(root);
        var spared = spare is null ? null : Path.GetFullPath(spare).TrimEnd(Path.DirectorySeparatorChar);
        for (var i = 0; i < all.Count - keep; i++)
            if (Path.GetFullPath(all[i]).TrimEnd(Path.DirectorySeparatorChar) != spared) OutputFolder.Delete(all[i]);
    }

    /// <summary>The first non-finite parameter of the checkpoint <paramref name="dir"/> as "tensor[index]", or null when
    /// every value is finite (a divergence message checks the checkpoint it recommends with it).</summary>
    public static string? FirstNonFinite(string dir)
    {
        using var ps = SafetensorsFile.Open(Path.Combine(dir, ParamsFile));
        foreach (var t in ps.Tensors)
        {
            if (t.DType != DType.F32) continue;
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(ps.GetSpan(t.Name));
            for (var i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i])) return $"{t.Name}[{i}]";
        }
        return null;
    }
}
