using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace ER.Managed.Cli.Study;

/// <summary>Writes a study's results: a CSV (one row per configuration and estimator), a Markdown summary and SVG plots.</summary>
internal static class StudyReport
{
    internal const string CsvHeader = "data,dim,batch,kappa,estimator,truth,mean,std,bias,rmse,time_ms,reps,mixture_lower,mixture_upper,floor,ceiling";

    private static string F(double value) => double.IsNaN(value) ? string.Empty : value.ToString("R", CultureInfo.InvariantCulture);

    internal static string Csv(IEnumerable<StudyRow> rows)
    {
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (StudyRow r in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{r.Data},{r.Dimension},{r.Batch},{F(r.Kappa)},{r.Estimator},{F(r.Truth)},{F(r.Mean)},{F(r.Std)},{F(r.Bias)},{F(r.Rmse)},{F(r.TimeMs)},{r.Repetitions},{F(r.MixtureLower)},{F(r.MixtureUpper)},{F(r.Floor)},{F(r.Ceiling)}\n");
        }

        return text.ToString();
    }

    internal static string Markdown(IReadOnlyList<StudyRow> rows, string commandLine)
    {
        var text = new StringBuilder();
        text.Append("# Entropy estimator study\n\n");
        text.Append(CultureInfo.InvariantCulture, $"`{commandLine}`\n\n");
        text.Append("Bias (mean - truth) and standard deviation over the repetitions, in nats; the ceiling `c - kappa + log k` bounds the plug-in and Joe's estimators from above (each row's kernel sum includes its self-pair, worth `C_d(kappa) e^kappa`); `joe-loo` leaves that pair out and is not bounded by it.\n\n");
        foreach (var group in rows.GroupBy(r => (r.Data, r.Kappa)))
        {
            text.Append(CultureInfo.InvariantCulture, $"## {group.Key.Data}, kernel kappa {F(group.Key.Kappa)}\n\n");
            text.Append("| d | k | truth | ceiling | ");
            text.AppendJoin(" | ", StudyRunner.Estimators.Select(e => $"{e} bias (std)"));
            text.Append(" | ");
            text.AppendJoin(" | ", StudyRunner.Estimators.Select(e => $"{e} ms"));
            text.Append(" |\n| ---: | ---: | ---: | ---: | ");
            text.AppendJoin(" | ", Enumerable.Repeat("---:", 2 * StudyRunner.Estimators.Length));
            text.Append(" |\n");
            foreach (var config in group.GroupBy(r => (r.Dimension, r.Batch)))
            {
                StudyRow first = config.First();
                text.Append(CultureInfo.InvariantCulture, $"| {config.Key.Dimension} | {config.Key.Batch} | {first.Truth:F3} | {first.Ceiling:F3} | ");
                text.AppendJoin(" | ", config.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Bias:F3} ({r.Std:F3})")));
                text.Append(" | ");
                text.AppendJoin(" | ", config.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.TimeMs:F2}")));
                text.Append(" |\n");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c"];

    /// <summary>Bias against batch size (log scale), one panel per dimension, one line per estimator with +-1 std bars, and the ceiling's bias dashed.</summary>
    internal static string Svg(IReadOnlyList<StudyRow> rows, string title)
    {
        int[] dims = rows.Select(r => r.Dimension).Distinct().OrderBy(d => d).ToArray();
        const double PanelWidth = 320, PanelHeight = 240, Left = 70, Top = 50, Gap = 80, Bottom = 70;
        double width = Left + (dims.Length * (PanelWidth + Gap)), height = Top + PanelHeight + Bottom;
        var svg = new StringBuilder();
        string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{N(width / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        for (int p = 0; p < dims.Length; p++)
        {
            StudyRow[] panel = rows.Where(r => r.Dimension == dims[p]).ToArray();
            double x0 = Left + (p * (PanelWidth + Gap)), y0 = Top;
            double[] batches = panel.Select(r => (double)r.Batch).Distinct().OrderBy(b => b).ToArray();
            double lx = Math.Log2(batches[0]), hx = Math.Log2(batches[^1]);
            if (hx - lx < 1e-9)
            {
                lx -= 1;
                hx += 1;
            }

            // The range covers the estimators (with their spread) and zero; the ceiling is clipped to it.
            IEnumerable<double> ys = panel.SelectMany(r => new[] { r.Bias - r.Std, r.Bias + r.Std }).Where(double.IsFinite).Append(0.0);
            double ly = ys.Min(), hy = ys.Max();
            double pad = Math.Max(1e-9, 0.08 * (hy - ly));
            ly -= pad;
            hy += pad;
            double X(double batch) => x0 + ((Math.Log2(batch) - lx) / (hx - lx) * PanelWidth);
            double Y(double bias) => y0 + PanelHeight - ((bias - ly) / (hy - ly) * PanelHeight);

            svg.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"panel{p}\"><rect x=\"{N(x0)}\" y=\"{N(y0)}\" width=\"{N(PanelWidth)}\" height=\"{N(PanelHeight)}\"/></clipPath>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"panel\"><rect x=\"{N(x0)}\" y=\"{N(y0)}\" width=\"{N(PanelWidth)}\" height=\"{N(PanelHeight)}\" fill=\"none\" stroke=\"#444\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate({N(x0 - 52)},{N(y0 + (PanelHeight / 2))}) rotate(-90)\" text-anchor=\"middle\">bias (nats)</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x0 + (PanelWidth / 2))}\" y=\"{N(y0 - 8)}\" text-anchor=\"middle\">d = {dims[p]}</text>\n");
            if (ly < 0 && hy > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(x0)}\" y1=\"{N(Y(0))}\" x2=\"{N(x0 + PanelWidth)}\" y2=\"{N(Y(0))}\" stroke=\"#999\"/>\n");
            }

            foreach (double b in batches)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(b))}\" y=\"{N(y0 + PanelHeight + 16)}\" text-anchor=\"middle\">{b}</text>\n");
            }

            for (int t = 0; t <= 4; t++)
            {
                double v = ly + ((hy - ly) * t / 4);
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x0 - 4)}\" y=\"{N(Y(v) + 4)}\" text-anchor=\"end\">{v.ToString("0.###", CultureInfo.InvariantCulture)}</text>\n");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x0 + (PanelWidth / 2))}\" y=\"{N(y0 + PanelHeight + 34)}\" text-anchor=\"middle\">batch size k (log scale)</text>\n");

            // The ceiling c - kappa + log k, as a bias.
            StudyRow[] ceiling = panel.Where(r => r.Estimator == StudyRunner.Estimators[0]).OrderBy(r => r.Batch).ToArray();
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"ceiling\" clip-path=\"url(#panel{p})\" fill=\"none\" stroke=\"#888\" stroke-dasharray=\"5,4\" points=\"");
            svg.AppendJoin(' ', ceiling.Select(r => $"{N(X(r.Batch))},{N(Y(r.Ceiling - r.Truth))}"));
            svg.Append("\"/>\n");
            for (int e = 0; e < StudyRunner.Estimators.Length; e++)
            {
                StudyRow[] line = panel.Where(r => r.Estimator == StudyRunner.Estimators[e] && double.IsFinite(r.Bias)).OrderBy(r => r.Batch).ToArray();
                svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"estimator\" data-estimator=\"{StudyRunner.Estimators[e]}\" fill=\"none\" stroke=\"{Colors[e]}\" stroke-width=\"2\" points=\"");
                svg.AppendJoin(' ', line.Select(r => $"{N(X(r.Batch))},{N(Y(r.Bias))}"));
                svg.Append("\"/>\n");
                foreach (StudyRow r in line)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(r.Batch))}\" y1=\"{N(Y(r.Bias - r.Std))}\" x2=\"{N(X(r.Batch))}\" y2=\"{N(Y(r.Bias + r.Std))}\" stroke=\"{Colors[e]}\"/><circle cx=\"{N(X(r.Batch))}\" cy=\"{N(Y(r.Bias))}\" r=\"3\" fill=\"{Colors[e]}\"/>\n");
                }
            }

            svg.Append("</g>\n");
        }

        // Legend.
        double legendY = Top + PanelHeight + 52;
        for (int e = 0; e < StudyRunner.Estimators.Length; e++)
        {
            double lx0 = Left + (e * 140);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(lx0)}\" y1=\"{N(legendY)}\" x2=\"{N(lx0 + 24)}\" y2=\"{N(legendY)}\" stroke=\"{Colors[e]}\" stroke-width=\"2\"/><text x=\"{N(lx0 + 30)}\" y=\"{N(legendY + 4)}\">{StudyRunner.Estimators[e]} bias</text>\n");
        }

        double cx = Left + (StudyRunner.Estimators.Length * 140);
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(cx)}\" y1=\"{N(legendY)}\" x2=\"{N(cx + 24)}\" y2=\"{N(legendY)}\" stroke=\"#888\" stroke-dasharray=\"5,4\"/><text x=\"{N(cx + 30)}\" y=\"{N(legendY + 4)}\">ceiling c - kappa + log k (as bias)</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
