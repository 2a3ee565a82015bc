// A model is named on the command line and in recipes either by its folder (HF layout) or by one file
// (a llama2.c .bin, a .gguf, config.json, a .safetensors): the files that travel with it (tokenizer,
// generation config) are looked up in "the folder of the model path". Test: Core.Tests/IO/ModelPathTests.
namespace Med42.Ort.Core.IO;

public static class ModelPath
{
    /// <summary>
    /// <paramref name="modelPath"/> itself when it is an existing folder (returned as given), else the
    /// absolute folder that contains it.
    /// </summary>
    public static string Folder(string modelPath) =>
        Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
}
