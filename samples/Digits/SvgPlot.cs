using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ER.Managed.Samples.Digits;

/// <summary>
/// A line plot written as SVG: axes with round ticks (steps of 1, 2 or 5 times a power of ten, or
/// powers of two on a log2 axis), one colour, dash pattern and marker per series from a palette whose
/// colours stay distinct for the colour-blind (Okabe-Ito), a legend beside the plot, optional error
/// bars and grey horizontal reference lines, each with its own dash pattern.
/// </summary>
public sealed class SvgPlot(string title, string xLabel, string yLabel, bool logTwoX = false)
{
    private static readonly string[] Colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"];
    private static readonly string[] Dashes = ["", "6,3", "2,2", "8,3,2,3"];
    private static readonly double[] Steps = [1.0, 2.0, 5.0, 10.0];
    private static readonly string[] ReferenceDashes = ["5,4", "1,3", "10,3"];
    private const double Width = 760, Height = 420, Left = 70, Right = 230, Top = 40, Bottom = 55;
    private readonly List<(string Name, (double X, double Y, double Error)[] Points)> _series = [];
    private readonly List<(string Name, double Y)> _references = [];

    /// <summary>Adds a series of (x, y, error) points (error 0 for none); non-finite y values are left out.</summary>
    public void Add(string name, IEnumerable<(double X, double Y, double Error)> points) =>
        _series.Add((name, points.Where(p => double.IsFinite(p.Y)).ToArray()));

    /// <summary>Adds a horizontal reference line (drawn dashed, grey, labelled in the legend).</summary>
    public void Reference(string name, double y) => _references.Add((name, y));

    /// <summary>The SVG document.</summary>
    public string Render()
    {
        var xs = _series.SelectMany(s => s.Points.Select(p => p.X)).ToArray();
        var ys = _series.SelectMany(s => s.Points.SelectMany(p => new[] { p.Y - p.Error, p.Y + p.Error })).Concat(_references.Select(r => r.Y)).ToArray();
        (double xMin, double xMax) = (xs.Min(), xs.Max());
        double[] yTicks = NiceTicks(ys.Min(), ys.Max());
        (double yMin, double yMax) = (yTicks[0], yTicks[^1]);
        double[] xTicks = logTwoX ? PowersOfTwo(xMin, xMax) : NiceTicks(xMin, xMax);
        if (!logTwoX)
        {
            (xMin, xMax) = (xTicks[0], xTicks[^1]);
        }

        double X(double x) => Left + ((logTwoX ? Math.Log2(x / xMin) / Math.Log2(xMax / xMin) : (x - xMin) / (xMax - xMin)) * (Width - Left - Right));
        double Y(double y) => Height - Bottom - ((y - yMin) / (yMax - yMin) * (Height - Top - Bottom));

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Left}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>\n"));
        foreach (double t in yTicks)
        {
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Y(t):F1}\" x2=\"{Width - Right}\" y2=\"{Y(t):F1}\" stroke=\"#e0e0e0\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 6}\" y=\"{Y(t) + 4:F1}\" text-anchor=\"end\">{Format(t)}</text>\n"));
        }

        foreach (double t in xTicks)
        {
            svg.Append(Invariant($"<line x1=\"{X(t):F1}\" y1=\"{Height - Bottom}\" x2=\"{X(t):F1}\" y2=\"{Height - Bottom + 5}\" stroke=\"black\"/>\n"));
            svg.Append(Invariant($"<text x=\"{X(t):F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{Format(t)}</text>\n"));
        }

        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"black\"/>\n"));
        svg.Append(Invariant($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate(18 {(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n"));

        double legendY = Top + 10;
        for (int r = 0; r < _references.Count; r++)
        {
            (string name, double y) = _references[r];
            string pattern = ReferenceDashes[r % ReferenceDashes.Length];
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Y(y):F1}\" x2=\"{Width - Right}\" y2=\"{Y(y):F1}\" stroke=\"#666\" stroke-dasharray=\"{pattern}\"/>\n"));
            svg.Append(Invariant($"<line x1=\"{Width - Right + 12}\" y1=\"{legendY}\" x2=\"{Width - Right + 40}\" y2=\"{legendY}\" stroke=\"#666\" stroke-dasharray=\"{pattern}\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Width - Right + 46}\" y=\"{legendY + 4}\">{Escape(name)}</text>\n"));
            legendY += 18;
        }

        for (int s = 0; s < _series.Count; s++)
        {
            (string name, var points) = _series[s];
            string color = Colors[s % Colors.Length];
            // Colour, dash and marker change together, so series that share a colour (the ninth on) still differ in both others.
            string pattern = Dashes[(s + (s / Colors.Length)) % Dashes.Length];
            string dash = pattern.Length > 0 ? $" stroke-dasharray=\"{pattern}\"" : string.Empty;
            string path = string.Join(" ", points.Select((p, i) => Invariant($"{(i == 0 ? "M" : "L")}{X(p.X):F1},{Y(p.Y):F1}")));
            svg.Append(Invariant($"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n"));
            foreach ((double x, double y, double error) in points)
            {
                if (error > 0)
                {
                    svg.Append(Invariant($"<line x1=\"{X(x):F1}\" y1=\"{Y(y - error):F1}\" x2=\"{X(x):F1}\" y2=\"{Y(y + error):F1}\" stroke=\"{color}\"/>\n"));
                }

                svg.Append(Marker(s + (s / Colors.Length), X(x), Y(y), color));
            }

            svg.Append(Invariant($"<line x1=\"{Width - Right + 12}\" y1=\"{legendY}\" x2=\"{Width - Right + 40}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n"));
            svg.Append(Marker(s + (s / Colors.Length), Width - Right + 26, legendY, color));
            svg.Append(Invariant($"<text x=\"{Width - Right + 46}\" y=\"{legendY + 4}\">{Escape(name)}</text>\n"));
            legendY += 18;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Round ticks covering [low, high]: 4 to 8 steps of 1, 2 or 5 times a power of ten.</summary>
    public static double[] NiceTicks(double low, double high)
    {
        if (!(high > low))
        {
            (low, high) = (low - 0.5, low + 0.5);
        }

        double raw = (high - low) / 5;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = Steps.Select(m => m * power).First(s => s >= raw);
        // Multiples of the step in decimal, so that 3 x 0.2 is printed 0.6, not 0.6000000000000001.
        long first = (long)Math.Floor(low / step), last = (long)Math.Ceiling(high / step);
        var ticks = new List<double>();
        for (long i = first; i <= last; i++)
        {
            ticks.Add((double)(i * (decimal)step));
        }

        return [.. ticks];
    }

    private static double[] PowersOfTwo(double low, double high)
    {
        var ticks = new List<double>();
        for (double t = Math.Pow(2, Math.Floor(Math.Log2(low))); t <= high * 1.0001; t *= 2)
        {
            if (t >= low * 0.9999)
            {
                ticks.Add(t);
            }
        }

        return [.. ticks];
    }

    private static string Marker(int series, double x, double y, string color) => (series % 4) switch
    {
        0 => Invariant($"<circle cx=\"{x:F1}\" cy=\"{y:F1}\" r=\"3.5\" fill=\"{color}\"/>\n"),
        1 => Invariant($"<rect x=\"{x - 3.5:F1}\" y=\"{y - 3.5:F1}\" width=\"7\" height=\"7\" fill=\"{color}\"/>\n"),
        2 => Invariant($"<path d=\"M{x:F1},{y - 4.5:F1} L{x + 4.5:F1},{y + 3.5:F1} L{x - 4.5:F1},{y + 3.5:F1} Z\" fill=\"{color}\"/>\n"),
        _ => Invariant($"<path d=\"M{x:F1},{y - 4.5:F1} L{x + 4.5:F1},{y:F1} L{x:F1},{y + 4.5:F1} L{x - 4.5:F1},{y:F1} Z\" fill=\"white\" stroke=\"{color}\" stroke-width=\"1.5\"/>\n"),
    };

    private static string Format(double value) => Math.Abs(value) < 1e-12 ? "0" : value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
