using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using ER.Managed.Cli.Study;

namespace ER.Managed.Tests.Cli;

/// <summary>
/// The estimator study's SVG plots read back as data: from the drawn tick labels and frame alone, every
/// line, error bar, marker, ceiling and label is mapped back to the value it stands for and compared
/// with the rows it was drawn from. Coordinates are printed with two decimals, so each is within
/// 0.005 px of its exact value; the tolerance is 0.011 px (two roundings, one of them of a marker's
/// offset from its centre), far below the 1 px that would show.
/// </summary>
public class StudyPlotTests
{
    private const double Tolerance = 0.011;
    private const double PanelWidth = 320, PanelHeight = 240, Left = 70, Top = 50, Gap = 80;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly int[] Dimensions = [3, 16];
    private static readonly int[] Batches = [16, 64, 256];
    private static readonly double[] Kappas = [10, 50];
    private static readonly double[] ThreeKappas = [10, 50, 100];

    /// <summary>
    /// Rows of one data set for the seven estimators at two kernel kappas: biases of both signs that
    /// differ by estimator, batch and dimension, and knn-4 not applicable (NaN) at the smallest batch.
    /// </summary>
    private static List<StudyRow> Rows(int[] dimensions, int[] batches, double[] kappas)
    {
        var rows = new List<StudyRow>();
        foreach (int d in dimensions)
        {
            double truth = 2 + (0.1 * d);
            foreach (int k in batches)
            {
                int series = 0;
                foreach (double kappa in kappas)
                {
                    foreach (string estimator in StudyRunner.KernelEstimators)
                    {
                        rows.Add(Row(d, k, kappa, estimator, truth, series++));
                    }
                }

                foreach (string estimator in StudyRunner.FreeEstimators)
                {
                    rows.Add(Row(d, k, double.NaN, estimator, truth, series++));
                }
            }
        }

        return rows;
    }

    private static StudyRow Row(int d, int k, double kappa, string estimator, double truth, int series)
    {
        double bias = (0.13 * series) - 0.55 + (0.03 * Math.Log2(k)) + (d == 3 ? 0 : 0.2);
        double std = 0.02 * (series + 1) * (d == 3 ? 1 : 1.5);
        if (estimator == "knn-4" && k == Batches[0])
        {
            bias = std = double.NaN;
        }

        double rmse = Math.Sqrt((bias * bias) + (std * std));
        double ceiling = truth + 0.4 - (0.01 * kappa) + (0.05 * Math.Log(k));
        return new StudyRow(
            "vmf:10", d, k, kappa, estimator, truth, 0, truth + bias, std, bias, rmse, truth + bias - std, truth + bias + std,
            1.0, 20, double.NaN, double.NaN, double.NaN, truth - 3, ceiling);
    }

    /// <summary>One panel's axes as drawn: its frame, and the value axis from its tick labels.</summary>
    private sealed record Panel(double X0, double[] Ticks, int[] Batches)
    {
        /// <summary>The batch axis: log2, with 4% of the span as margin on each side; one batch size sits mid-panel.</summary>
        internal double X(double batch)
        {
            if (Batches.Length == 1)
            {
                return X0 + (PanelWidth / 2);
            }

            double low = Math.Log2(Batches[0]), high = Math.Log2(Batches[^1]), margin = 0.04 * (high - low);
            return X0 + ((Math.Log2(batch) - (low - margin)) / (high - low + (2 * margin)) * PanelWidth);
        }

        /// <summary>The value axis: the first tick at the frame's bottom, the last at its top.</summary>
        internal double Y(double value) => Top + PanelHeight - ((value - Ticks[0]) / (Ticks[^1] - Ticks[0]) * PanelHeight);
    }

    private static double Number(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static (double X, double Y)[] Points(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToArray();

    private static void Near(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: drawn at {actual}, expected {expected:F4}");

    /// <summary>Reads a panel's frame and tick labels, checking the frame's place and the ticks' spacing, positions and coverage.</summary>
    private static Panel ReadPanel(XElement group, int index, int dimension, int[] batches, IEnumerable<double> values, bool rmse)
    {
        XElement frame = group.Element(Svg + "rect")!;
        double x0 = Left + (index * (PanelWidth + Gap));
        Assert.Equal([x0, Top, PanelWidth, PanelHeight], new[] { "x", "y", "width", "height" }.Select(a => Number(frame, a)));

        // The panel's title above it, the value axis' title left of the tick labels, the batch axis' below.
        XElement title = Assert.Single(group.Elements(Svg + "text"), t => t.Value == $"d = {dimension}");
        Assert.Equal([x0 + (PanelWidth / 2), Top - 8], new[] { Number(title, "x"), Number(title, "y") });
        XElement valueTitle = Assert.Single(group.Elements(Svg + "text"), t => t.Value == (rmse ? "RMSE (nats)" : "bias (nats)"));
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"translate({x0 - 52},{Top + (PanelHeight / 2)}) rotate(-90)"), (string?)valueTitle.Attribute("transform"));
        XElement batchTitle = Assert.Single(group.Elements(Svg + "text"), t => t.Value == "batch size k (log scale)");
        Assert.Equal([x0 + (PanelWidth / 2), Top + PanelHeight + 34], new[] { Number(batchTitle, "x"), Number(batchTitle, "y") });

        XElement[] labels = group.Elements(Svg + "text").Where(t => (string?)t.Attribute("class") == "tick").ToArray();
        double[] ticks = labels.Select(t => double.Parse(t.Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(ticks.Length, 3, 7);
        double step = ticks[1] - ticks[0];
        Assert.True(step > 0, "ticks rise");
        for (int i = 1; i < ticks.Length; i++)
        {
            Assert.Equal(step, ticks[i] - ticks[i - 1], 1e-9);
        }

        // Each label with the decimals the step needs and no more (a step of 0.1 gives "0.3", not "0.30").
        int decimals = 0;
        while (Math.Abs((step * Math.Pow(10, decimals)) - Math.Round(step * Math.Pow(10, decimals))) > 1e-6)
        {
            decimals++;
        }

        Assert.All(labels, l => Assert.Equal(decimals, l.Value.Contains('.', StringComparison.Ordinal) ? l.Value.Length - l.Value.IndexOf('.', StringComparison.Ordinal) - 1 : 0));

        // The ticks cover every drawn value and zero, with less than one step to spare at either end.
        double[] covered = values.Where(double.IsFinite).Append(0.0).ToArray();
        Assert.InRange(covered.Min() - ticks[0], 0, step);
        Assert.InRange(ticks[^1] - covered.Max(), 0, step);

        var panel = new Panel(x0, ticks, batches);
        XElement[] grid = group.Elements(Svg + "line").Where(l => (string?)l.Attribute("class") == "grid").ToArray();
        Assert.Equal(ticks.Length, grid.Length);
        for (int i = 0; i < ticks.Length; i++)
        {
            Near(panel.Y(ticks[i]), Number(grid[i], "y1"), $"grid line {ticks[i]}");
            Near(panel.Y(ticks[i]), Number(grid[i], "y2"), $"grid line {ticks[i]}");
            Assert.Equal([x0, x0 + PanelWidth], new[] { Number(grid[i], "x1"), Number(grid[i], "x2") });
            Near(panel.Y(ticks[i]) + 4, Number(labels[i], "y"), $"tick label {ticks[i]}");
            Assert.Equal(x0 - 4, Number(labels[i], "x"));
        }

        // Each batch size labelled under its place on the log axis.
        foreach (int k in batches)
        {
            XElement label = Assert.Single(group.Elements(Svg + "text"), t => t.Value == k.ToString(CultureInfo.InvariantCulture));
            Near(panel.X(k), Number(label, "x"), $"batch label {k}");
            Assert.Equal(Top + PanelHeight + 16, Number(label, "y"));
        }

        return panel;
    }

    /// <summary>The look a series should have: its estimator's colour and marker, its kernel kappa's dash.</summary>
    private static StudyReport.SeriesStyle StyleOf(IEnumerable<StudyRow> rows, string series)
    {
        StudyRow first = rows.First(r => r.Series == series);
        return StudyReport.Style(first.Estimator, Array.IndexOf(Kappas, first.Kappa));
    }

    /// <summary>A marker: a circle, polygon or path, or a rect of the markers' 7 px (not the 320 px frame).</summary>
    private static bool IsMarker(XElement e) =>
        e.Name.LocalName is "circle" or "polygon" or "path" || (e.Name.LocalName == "rect" && (string?)e.Attribute("width") == "7");

    /// <summary>The centre of a marker of any shape, and its colour (the fill, or the stroke of an open marker).</summary>
    private static (double X, double Y, string Color) MarkerCentre(XElement marker)
    {
        string? fill = (string?)marker.Attribute("fill");
        string color = fill is null or "white" ? (string)marker.Attribute("stroke")! : fill;
        if (marker.Name.LocalName == "circle")
        {
            return (Number(marker, "cx"), Number(marker, "cy"), color);
        }

        if (marker.Name.LocalName == "rect")
        {
            return (Number(marker, "x") + (Number(marker, "width") / 2), Number(marker, "y") + (Number(marker, "height") / 2), color);
        }

        // Polygons and the cross: the centre of the bounding box, but a triangle's apex reaches one unit
        // further than its base (half a unit off the centre).
        (double X, double Y)[] points = marker.Name.LocalName == "polygon"
            ? Points((string)marker.Attribute("points")!)
            : Points(((string)marker.Attribute("d")!).Replace('M', ' ').Replace('L', ' '));
        double cx = (points.Min(p => p.X) + points.Max(p => p.X)) / 2, cy = (points.Min(p => p.Y) + points.Max(p => p.Y)) / 2;
        if (points.Length == 3)
        {
            // A triangle: a flat base 9 px wide, its apex 8 px away above its middle (below, pointing down).
            double apex = points[0].Y, base_ = points[1].Y;
            Near(base_, points[2].Y, "a triangle's base is level");
            Near(points[0].X, (points[1].X + points[2].X) / 2, "a triangle's apex is over its base's middle");
            Near(9, Math.Abs(points[2].X - points[1].X), "a triangle's base");
            Near(8, Math.Abs(apex - base_), "a triangle's height");
            cy += apex < base_ ? 0.5 : -0.5;
        }
        else if (points.Length == 4 && marker.Name.LocalName == "polygon")
        {
            // A diamond: opposite corners level, as wide as it is high.
            Near(points[0].X, points[2].X, "a diamond's vertical axis");
            Near(points[1].Y, points[3].Y, "a diamond's horizontal axis");
            Near(points[2].Y - points[0].Y, points[1].X - points[3].X, "a diamond's width and height");
        }

        return (cx, cy, color);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_mark_stands_where_its_value_puts_it_on_the_axes_the_plot_draws(bool rmse)
    {
        List<StudyRow> rows = Rows(Dimensions, Batches, Kappas);
        XElement root = XDocument.Parse(StudyReport.Svg(rows, "plot & <title>", rmse)).Root!;
        XElement heading = root.Elements(Svg + "text").First();
        Assert.Equal("plot & <title>", heading.Value);
        Near(Number(root, "width") / 2, Number(heading, "x"), "the title");
        Assert.Equal(22, Number(heading, "y"));
        XElement[] panels = root.Elements(Svg + "g").Where(g => (string?)g.Attribute("class") == "panel").ToArray();
        Assert.Equal(Dimensions.Length, panels.Length);
        string[] series = rows.Select(r => r.Series).Distinct().ToArray();

        for (int p = 0; p < panels.Length; p++)
        {
            StudyRow[] own = rows.Where(r => r.Dimension == Dimensions[p]).ToArray();
            IEnumerable<double> drawn = rmse ? own.Select(r => r.Rmse) : own.SelectMany(r => new[] { r.Bias - r.Std, r.Bias + r.Std });
            Panel panel = ReadPanel(panels[p], p, Dimensions[p], Batches, drawn, rmse);
            XElement[] lines = panels[p].Elements(Svg + "line").ToArray();

            XElement[] zero = lines.Where(l => (string?)l.Attribute("class") == "zero").ToArray();
            Assert.Equal(rmse ? 0 : 1, zero.Length);
            if (!rmse)
            {
                Near(panel.Y(0), Number(zero[0], "y1"), "zero line");
                Near(panel.Y(0), Number(zero[0], "y2"), "zero line");
                Assert.Equal([panel.X0, panel.X0 + PanelWidth], new[] { Number(zero[0], "x1"), Number(zero[0], "x2") });
            }

            // Each kernel kappa's ceiling (the plug-in rows' ceiling minus the truth) on the bias plot only.
            XElement[] ceilings = panels[p].Elements(Svg + "polyline").Where(l => (string?)l.Attribute("class") == "ceiling").ToArray();
            Assert.Equal(rmse ? 0 : Kappas.Length, ceilings.Length);
            for (int c = 0; c < ceilings.Length; c++)
            {
                StudyRow[] plugin = own.Where(r => r.Estimator == "plugin" && r.Kappa == Kappas[c]).OrderBy(r => r.Batch).ToArray();
                (double X, double Y)[] points = Points((string)ceilings[c].Attribute("points")!);
                Assert.Equal(plugin.Length, points.Length);
                for (int i = 0; i < points.Length; i++)
                {
                    Near(panel.X(plugin[i].Batch), points[i].X, $"ceiling {Kappas[c]} x");
                    Near(panel.Y(plugin[i].Ceiling - plugin[i].Truth), points[i].Y, $"ceiling {Kappas[c]} at k = {plugin[i].Batch}");
                }

                Assert.Equal(c == 0 ? "5,4" : "1,4", (string?)ceilings[c].Attribute("stroke-dasharray"));
                Assert.Equal($"url(#panel{p})", (string?)ceilings[c].Attribute("clip-path"));
            }

            // Each series: its line through its finite values, an error bar of +-1 std (bias only) and a marker at each.
            XElement[] estimators = panels[p].Elements(Svg + "polyline").Where(l => (string?)l.Attribute("class") == "estimator").ToArray();
            Assert.Equal(series, estimators.Select(l => (string)l.Attribute("data-estimator")!));
            var markers = panels[p].Elements().Where(IsMarker).Select(MarkerCentre).ToList();
            XElement[] bars = lines.Where(l => l.Attribute("class") is null).ToArray();
            int barIndex = 0;
            foreach (XElement line in estimators)
            {
                StudyRow first = own.First(r => r.Series == (string)line.Attribute("data-estimator")!);
                StudyReport.SeriesStyle style = StyleOf(rows, first.Series);
                Assert.Equal(style.Color, (string?)line.Attribute("stroke"));
                Assert.Equal(style.Dash, (string?)line.Attribute("stroke-dasharray"));
                StudyRow[] values = own.Where(r => r.Series == first.Series && double.IsFinite(r.Bias)).OrderBy(r => r.Batch).ToArray();
                (double X, double Y)[] points = Points((string)line.Attribute("points")!);
                Assert.Equal(values.Length, points.Length);
                for (int i = 0; i < values.Length; i++)
                {
                    double x = panel.X(values[i].Batch), y = panel.Y(rmse ? values[i].Rmse : values[i].Bias);
                    Near(x, points[i].X, $"{first.Series} at k = {values[i].Batch}: x");
                    Near(y, points[i].Y, $"{first.Series} at k = {values[i].Batch}: y");
                    Assert.Contains(markers, m => Math.Abs(m.X - x) <= Tolerance && Math.Abs(m.Y - y) <= Tolerance && m.Color == style.Color);
                    if (!rmse)
                    {
                        XElement bar = bars[barIndex++];
                        Near(x, Number(bar, "x1"), "error bar x1");
                        Near(x, Number(bar, "x2"), "error bar x2");
                        Near(panel.Y(values[i].Bias - values[i].Std), Number(bar, "y1"), $"{first.Series} bar low at k = {values[i].Batch}");
                        Near(panel.Y(values[i].Bias + values[i].Std), Number(bar, "y2"), $"{first.Series} bar high at k = {values[i].Batch}");
                        Assert.Equal(style.Color, (string?)bar.Attribute("stroke"));
                    }
                }
            }

            Assert.Equal(rmse ? 0 : bars.Length, barIndex);
            Assert.Equal(own.Count(r => double.IsFinite(r.Bias)), markers.Count);
        }

        // The legend below the panels, three entries a row: every series, then (bias) every ceiling.
        string[] legend = [.. series, .. rmse ? [] : Kappas.Select(k => $"ceiling, kappa {k} (as bias)")];
        XElement[] entries = root.Elements(Svg + "text").Skip(1).ToArray();
        Assert.Equal(legend, entries.Select(t => t.Value));
        const double LegendTop = Top + PanelHeight + 56;
        XElement[] swatches = root.Elements(Svg + "line").ToArray();
        var legendMarkers = root.Elements().Where(IsMarker).Select(MarkerCentre).ToList();
        Assert.Equal(legend.Length, swatches.Length);
        Assert.Equal(series.Length, legendMarkers.Count);
        for (int i = 0; i < entries.Length; i++)
        {
            double x = Left + ((i % 3) * 230), y = LegendTop + ((i / 3) * 18);
            Assert.Equal(x + 34, Number(entries[i], "x"));
            Assert.Equal(y + 4, Number(entries[i], "y"));
            Assert.Equal([x, y, x + 28, y], new[] { "x1", "y1", "x2", "y2" }.Select(a => Number(swatches[i], a)));
            if (i < series.Length)
            {
                StudyReport.SeriesStyle style = StyleOf(rows, series[i]);
                Assert.Equal(style.Color, (string?)swatches[i].Attribute("stroke"));
                Assert.Equal(style.Dash, (string?)swatches[i].Attribute("stroke-dasharray"));
                Near(x + 14, legendMarkers[i].X, $"legend marker {series[i]}");
                Near(y, legendMarkers[i].Y, $"legend marker {series[i]}");
                Assert.Equal(style.Color, legendMarkers[i].Color);
            }
            else
            {
                Assert.Equal((i - series.Length) % 2 == 0 ? "5,4" : "1,4", (string?)swatches[i].Attribute("stroke-dasharray"));
            }
        }

        int legendRows = (legend.Length + 2) / 3;
        Assert.Equal(Left + (Dimensions.Length * (PanelWidth + Gap)), Number(root, "width"));
        Assert.Equal(Top + PanelHeight + 60 + (legendRows * 18) + 10, Number(root, "height"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void One_dimension_and_one_batch_size_sit_mid_panel_and_three_kappas_alternate_the_ceiling_dashes(bool rmse)
    {
        // One panel: the plot is as wide as the three legend columns. One batch size: mid-panel. One
        // row's spread reaches far below the others, and the value axis must still reach it. The
        // third kernel kappa's ceiling is dashed as the first's.
        List<StudyRow> rows = Rows([8], [64], ThreeKappas);
        int wide = rows.FindIndex(r => r.Estimator == "joe" && r.Kappa == 50);
        rows[wide] = rows[wide] with { Bias = -0.1, Std = 1.3, Rmse = Math.Sqrt(0.01 + 1.69) };
        XElement root = XDocument.Parse(StudyReport.Svg(rows, "one panel", rmse)).Root!;
        Assert.Equal((3 * 230) + Left, Number(root, "width"));
        XElement group = Assert.Single(root.Elements(Svg + "g"));
        IEnumerable<double> drawn = rmse ? rows.Select(r => r.Rmse) : rows.SelectMany(r => new[] { r.Bias - r.Std, r.Bias + r.Std });
        Panel panel = ReadPanel(group, 0, 8, [64], drawn, rmse);
        if (!rmse)
        {
            Assert.True(panel.Ticks[0] <= -1.4, $"the axis starts at {panel.Ticks[0]}, above the widest bar's end -1.4");
        }

        foreach (XElement line in group.Elements(Svg + "polyline").Where(l => (string?)l.Attribute("class") == "estimator"))
        {
            (double X, double Y) point = Assert.Single(Points((string)line.Attribute("points")!));
            Near(Left + (PanelWidth / 2), point.X, "the one batch size");
        }

        string[] dashes = group.Elements(Svg + "polyline").Where(l => (string?)l.Attribute("class") == "ceiling").Select(l => (string?)l.Attribute("stroke-dasharray") ?? "solid").ToArray();
        Assert.Equal(rmse ? [] : ["5,4", "1,4", "5,4"], dashes);
        string[] estimatorDashes = ThreeKappas.Select(k => (string?)group.Elements(Svg + "polyline").Single(l => (string?)l.Attribute("data-estimator") == $"plugin (kappa {k})").Attribute("stroke-dasharray") ?? "solid").ToArray();
        Assert.Equal(["solid", "7,3", "2,3"], estimatorDashes);
    }
}
