// Charts any verb may draw: training loss curves (train, study) and grouped bars (study report). ScottPlot 5,
// written as PNG or SVG by the extension, Width × Height pixels.
// Written to a temporary name first, then renamed.
using Med42.Ort.Core.IO;
using ScottPlot;

namespace Med42.Ort.Reports;

public static class Charts
{
    public const int Width = 800;
    public const int Height = 450;

    /// <summary>Loss against step, one line per named series.</summary>
    public static void LossCurves(string path, IReadOnlyDictionary<string, IReadOnlyList<(int Step, double Loss)>> series, string title = "Training loss")
    {
        var plot = new Plot();
        foreach (var (name, points) in series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => (double)p.Step).ToArray(), points.Select(p => p.Loss).ToArray());
            line.LegendText = name;
            line.MarkerSize = points.Count > 40 ? 0 : 4;
        }
        plot.Title(title);
        plot.XLabel("optimizer step");
        plot.YLabel("loss (nats / target token)");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    /// <summary>Grouped bars: one group per category, one bar per series, with optional error bars.</summary>
    public static void GroupedBars(string path, string title, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<(string Name, double[] Values, double[]? Errors)> series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var groupWidth = series.Count + 1.0;
        for (var s = 0; s < series.Count; s++)
        {
            var bars = new List<Bar>();
            for (var c = 0; c < categories.Count; c++)
                bars.Add(new Bar
                {
                    Position = c * groupWidth + s,
                    Value = series[s].Values[c],
                    Error = series[s].Errors?[c] ?? 0,
                    FillColor = palette.GetColor(s),
                });
            var barPlot = plot.Add.Bars(bars);
            barPlot.LegendText = series[s].Name;
        }
        var ticks = categories.Select((c, i) => new Tick(i * groupWidth + (series.Count - 1) / 2.0, c)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    private static void Save(Plot plot, string path) => AtomicFile.WriteVia(path, tmp =>
    {
        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase)) plot.SaveSvg(tmp, Width, Height);
        else plot.SavePng(tmp, Width, Height);
    });
}
