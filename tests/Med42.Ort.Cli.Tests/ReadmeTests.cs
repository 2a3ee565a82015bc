// The README's promises, checked against the code: two set-up commands at the top, the report where the study
// writes it, links that resolve, a wrapper that puts `med42` on the PATH, and example command lines whose verbs
// and flags the parser accepts.
using System.Reflection;
using System.Text.RegularExpressions;
using Med42.Ort.Cli.Options;

namespace Med42.Ort.Cli.Tests;

public sealed class ReadmeTests
{
    private static readonly string Root = typeof(ReadmeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Med42RepositoryRoot").Value!;
    private static readonly string Readme = File.ReadAllText(Path.Combine(Root, "README.md"));

    private static IEnumerable<string> CodeLines() =>
        Regex.Matches(Readme, "```bash\n(.*?)```", RegexOptions.Singleline).SelectMany(m => m.Groups[1].Value.Split('\n'));

    [Fact]
    public void TopBlockIsTheTwoSetUpCommands()
    {
        var first = Regex.Match(Readme, "```bash\n(.*?)```", RegexOptions.Singleline).Groups[1].Value.Trim().Split('\n');
        Assert.Equal(["dotnet run --project src/Med42.Ort.Cli -c Release -- study", "bash tools/test.sh"], first);
    }

    [Fact]
    public void ReportPathIsWhereTheStudyWritesIt()
    {
        // "report" is the report stage's folder (ReportStage.StageName, internal to the study).
        var path = $"{Study.Pipeline.StudyDefaults.Embedded().Out}/report/{Study.Reports.StudyReport.HtmlFile}";
        Assert.Contains($"`{path}`", Readme);
    }

    [Fact]
    public void LinksResolveAndTrainingAndDataAreLinked()
    {
        var links = Regex.Matches(Readme, @"\]\(([^)#]+)\)").Select(m => m.Groups[1].Value).Where(l => !l.StartsWith("http", StringComparison.Ordinal)).ToList();
        Assert.Contains("docs/train.md", links);
        Assert.Contains("docs/data.md", links);
        Assert.All(links, l => Assert.True(File.Exists(Path.Combine(Root, l)), $"README links {l}, which does not exist"));
    }

    [Fact]
    public void TheWrapperExistsAndIsExecutable()
    {
        var wrapper = Path.Combine(Root, "tools", "med42");
        Assert.Contains("tools/med42", Readme);
        Assert.True(File.Exists(wrapper));
        if (!OperatingSystem.IsWindows()) Assert.True(File.GetUnixFileMode(wrapper).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public void ExampleCommandLinesUseRealVerbsAndFlags()
    {
        var examples = CodeLines().Select(l => l.Trim()).Where(l => l.StartsWith("med42 ", StringComparison.Ordinal)).ToList();
        Assert.True(examples.Count >= 5, $"{examples.Count} examples");
        foreach (var line in examples)
        {
            var words = line.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words[1].StartsWith("--", StringComparison.Ordinal)) continue; // med42 --help
            var verb = OptionTable.Verb(Commands.Verbs.All, words[1]);
            Assert.True(verb is not null, $"README: unknown verb in '{line}'");
            foreach (var flag in words.Where(w => w.StartsWith("--", StringComparison.Ordinal)).Select(w => w[2..].Split('=')[0]))
                Assert.True(flag == "help" || FlagAliases.Resolve(verb!, flag) is not null, $"README: {words[1]} has no --{flag} ('{line}')");
        }
    }
}
