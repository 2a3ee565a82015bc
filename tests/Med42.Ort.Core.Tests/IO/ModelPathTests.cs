// ModelPath.Folder: a folder names itself (as given, relative or not); a file, or a path that does not
// exist yet, names the absolute folder that contains it.
using Med42.Ort.Core.IO;
using Med42.Ort.Tests.Shared;

namespace Med42.Ort.Core.Tests.IO;

public class ModelPathTests
{
    [Fact]
    public void AFolderIsItsOwnFolderReturnedAsGiven()
    {
        using var tmp = new TempDir();
        Assert.Equal(tmp.Path, ModelPath.Folder(tmp.Path));
        var withSlash = tmp.Path + Path.DirectorySeparatorChar;
        Assert.Equal(withSlash, ModelPath.Folder(withSlash));

        var relative = Path.GetRelativePath(Environment.CurrentDirectory, tmp.Path);
        Assert.Equal(relative, ModelPath.Folder(relative));
    }

    [Theory]
    [InlineData("stories15M.bin")]
    [InlineData("model.gguf")]
    [InlineData("config.json")]
    [InlineData("model.safetensors")]
    public void AFileNamesTheAbsoluteFolderAroundIt(string name)
    {
        using var tmp = new TempDir();
        var sub = Directory.CreateDirectory(Path.Combine(tmp.Path, "m")).FullName;
        var file = Path.Combine(sub, name);
        File.WriteAllText(file, "x");
        Assert.Equal(sub, ModelPath.Folder(file));
        Assert.Equal(sub, ModelPath.Folder(Path.GetRelativePath(Environment.CurrentDirectory, file)));
    }

    [Fact]
    public void AMissingPathNamesTheFolderItWouldBeIn()
    {
        using var tmp = new TempDir();
        Assert.Equal(tmp.Path, ModelPath.Folder(Path.Combine(tmp.Path, "not-there.bin")));
    }
}
