// Loads a study recipe (.yaml/.yml or .json, snake_case keys, see models/recipes/*-study.yaml) into
// StudyConfig, strictly: unknown keys and wrong types fail with the file and the key path. The file is read
// by RecipeLoader.ReadJson, the same conversion training recipes use.
using System.Text.Json;
using Med42.Ort.Core.Errors;
using Med42.Ort.Training.Trainer;

namespace Med42.Ort.Study.Pipeline;

public static class StudyConfigLoader
{
    /// <summary>Study recipes are named *-study.yaml (training recipes in the same folder are not).</summary>
    public const string RecipeSuffix = "-study.yaml";

    public static StudyConfig Load(string path) => Parse(path).Validate(path);

    /// <summary>Reads without validating (the CLI applies its flags first, then validates once).</summary>
    public static StudyConfig Parse(string path)
    {
        var json = RecipeLoader.ReadJson(path, "study recipe");
        try { return JsonSerializer.Deserialize<StudyConfig>(json, RecipeLoader.Json) ?? throw new Med42Exception($"{path}: empty recipe"); }
        catch (JsonException e) { throw new Med42Exception($"{path}: {e.Path ?? "$"}: {e.Message}"); }
    }

    public static string ToJson(StudyConfig config) => JsonSerializer.Serialize(config, RecipeLoader.Json);
}
