// Charts: every chart kind renders to a PNG that decodes (SkiaSharp, independent of ScottPlot's writer) at the
// declared size and is not blank, or to SVG that parses as XML with that size; the write is atomic (no
// temporary file is left next to the chart).
using System.Xml.Linq;
using Med42.Ort.Reports;
using Med42.Ort.Tests.Shared;
using SkiaSharp;

namespace Med42.Ort.Reports.Tests;

public sealed class ChartsTests
{
    private static readonly Dictionary<string, IReadOnlyList<(int, double)>> Losses = new()
    {
        ["full"] = Enumerable.Range(1, 50).Select(i => (i, 5.0 / i)).ToList(),
        ["validation"] = [(10, 0.9), (20, 0.5), (30, 0.4)],
        ["empty"] = [],
    };

    private static SKBitmap DecodePng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]); // PNG signature
        return SKBitmap.Decode(bytes) ?? throw new InvalidDataException($"{path} does not decode");
    }

    /// <summary>A rendered chart has axes, lines and text: far more than the two colours of a blank canvas.</summary>
    private static void AssertDrawn(SKBitmap bitmap)
    {
        var colours = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y += 3)
            for (var x = 0; x < bitmap.Width; x += 3)
                colours.Add((uint)bitmap.GetPixel(x, y));
        Assert.True(colours.Count > 10, $"only {colours.Count} distinct colours: the chart looks blank");
    }

    [Fact]
    public void LossCurvesWritesADecodablePngOfTheDeclaredSize()
    {
        using var dir = new TempDir();
        var path = dir.File("loss.png");
        Charts.LossCurves(path, Losses);
        using var bitmap = DecodePng(path);
        Assert.Equal(Charts.Width, bitmap.Width);
        Assert.Equal(Charts.Height, bitmap.Height);
        AssertDrawn(bitmap);
        Assert.Equal(["loss.png"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void GroupedBarsWithErrorBarsWritesADecodablePng()
    {
        using var dir = new TempDir();
        var path = dir.File("accuracy.png");
        Charts.GroupedBars(path, "Accuracy", "accuracy (%)", ["study_heldin", "study_never"],
            [("base", [25.0, 26.0], [3.0, 4.0]), ("full", [80.0, 24.0], null)]);
        using var bitmap = DecodePng(path);
        Assert.Equal((Charts.Width, Charts.Height), (bitmap.Width, bitmap.Height));
        AssertDrawn(bitmap);
    }

    [Fact]
    public void SvgByExtensionIsXmlOfTheDeclaredSize()
    {
        using var dir = new TempDir();
        var path = dir.File("loss.svg");
        Charts.LossCurves(path, Losses, "Training loss");
        var svg = XDocument.Load(path).Root!;
        Assert.Equal("svg", svg.Name.LocalName);
        Assert.Equal(Charts.Width.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)svg.Attribute("width"));
        Assert.Equal(Charts.Height.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)svg.Attribute("height"));
        Assert.Contains("Training loss", svg.ToString());
    }

    [Fact]
    public void RewritingAChartReplacesIt()
    {
        using var dir = new TempDir();
        var path = dir.File("throughput.png");
        Charts.GroupedBars(path, "one", "tokens/s", ["tokens/s"], [("a", [1.0], null)]);
        var first = File.ReadAllBytes(path);
        Charts.GroupedBars(path, "two", "tokens/s", ["tokens/s"], [("a", [1.0], null), ("b", [2.0], null)]);
        Assert.NotEqual(first, File.ReadAllBytes(path));
        using var bitmap = DecodePng(path);
        Assert.Equal(Charts.Width, bitmap.Width);
    }
}
