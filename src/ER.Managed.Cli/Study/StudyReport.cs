using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ER.Managed.Cli.Study;

/// <summary>
/// Writes a study's results: a CSV (one row per configuration and estimator series), a Markdown
/// summary and SVG plots of bias and RMSE against the batch size, one panel per dimension.
/// </summary>
internal static class StudyReport
{
    internal const string CsvHeader = "data,dim,batch,kappa,estimator,truth,truth_se,mean,std,bias,rmse,ci95_low,ci95_high,time_ms,reps,selected_kappa,mixture_lower,mixture_upper,floor,ceiling";

    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e", "#393b79", "#637939"];

    private static string F(double value) => double.IsNaN(value) ? string.Empty : value.ToString("R", CultureInfo.InvariantCulture);

    internal static string Csv(IEnumerable<StudyRow> rows)
    {
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (StudyRow r in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{r.Data},{r.Dimension},{r.Batch},{F(r.Kappa)},{r.Estimator},{F(r.Truth)},{F(r.TruthSe)},{F(r.Mean)},{F(r.Std)},{F(r.Bias)},{F(r.Rmse)},{F(r.Ci95Low)},{F(r.Ci95High)},{F(r.TimeMs)},{r.Repetitions},{F(r.SelectedKappa)},{F(r.MixtureLower)},{F(r.MixtureUpper)},{F(r.Floor)},{F(r.Ceiling)}\n");
        }

        return text.ToString();
    }

    internal static string Markdown(IReadOnlyList<StudyRow> rows, string commandLine)
    {
        var text = new StringBuilder();
        text.Append("# Entropy estimator study\n\n");
        text.Append(CultureInfo.InvariantCulture, $"`{commandLine}`\n\n");
        text.Append("Each cell: bias (mean - truth) and, in brackets, RMSE over the repetitions, in nats. ");
        text.Append("Estimators: `plugin`, `joe` and `joe-loo` at each kernel kappa; `knn-1`, `knn-4` (the m-th neighbour, no kernel); `joe-cv` and `joe-loo-cv` (Joe's and Joe's leave-one-out at the kappa the leave-one-out likelihood selects, its mean in `selected_kappa`, where a sample whose likelihood is largest as kappa -> 0 counts as kappa = 0, the uniform limit; `joe-loo-cv` is minus the maximized likelihood). ");
        text.Append("The ceiling `c - kappa + log k` bounds the plug-in and Joe's estimators from above (each row's kernel sum includes its self-pair, worth `C_d(kappa) e^kappa`); `joe-loo` leaves that pair out and is not bounded by it. ");
        text.Append("Truth: closed form for uniform and vMF data; for mixtures a Monte Carlo estimate on the exact log-density, whose standard error is given. ");
        text.Append("`results.csv` also has each series' standard deviation, a normal-approximation 95% interval for its mean (`ci95_low`, `ci95_high`) and its time.\n\n");
        foreach (var group in rows.GroupBy(r => r.Data))
        {
            text.Append(CultureInfo.InvariantCulture, $"## {group.Key}\n\n");
            string[] series = [.. group.Select(r => r.Series).Distinct()];
            double[] kappas = [.. group.Where(r => !double.IsNaN(r.Kappa)).Select(r => r.Kappa).Distinct()];
            text.Append("| d | k | truth | ");
            text.AppendJoin(" | ", kappas.Select(k => string.Create(CultureInfo.InvariantCulture, $"ceiling (kappa {k})")));
            text.Append(kappas.Length > 0 ? " | " : string.Empty);
            text.AppendJoin(" | ", series);
            text.Append(" |\n| ---: | ---: | ---: | ");
            text.AppendJoin(" | ", Enumerable.Repeat("---:", kappas.Length + series.Length));
            text.Append(" |\n");
            foreach (var config in group.GroupBy(r => (r.Dimension, r.Batch)))
            {
                StudyRow first = config.First();
                string truth = first.TruthSe > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{first.Truth:F3} ± {first.TruthSe:F3}")
                    : string.Create(CultureInfo.InvariantCulture, $"{first.Truth:F3}");
                text.Append(CultureInfo.InvariantCulture, $"| {config.Key.Dimension} | {config.Key.Batch} | {truth} | ");
                foreach (double k in kappas)
                {
                    StudyRow kernel = config.First(r => r.Kappa == k);
                    text.Append(CultureInfo.InvariantCulture, $"{kernel.Ceiling - kernel.Truth:F3} | ");
                }

                text.AppendJoin(" | ", series.Select(s => config.FirstOrDefault(r => r.Series == s) is { } r
                    ? string.Create(CultureInfo.InvariantCulture, $"{r.Bias:F3} ({r.Rmse:F3})")
                    : string.Empty));
                text.Append(" |\n");
            }

            text.Append('\n');
        }

        text.Append("Ceilings are shown as biases (ceiling - truth).\n");
        return text.ToString();
    }

    /// <summary>
    /// Bias (with +-1 std bars and the ceilings dashed) or RMSE against the batch size (log scale),
    /// one panel per dimension, one line per estimator series.
    /// </summary>
    internal static string Svg(IReadOnlyList<StudyRow> rows, string title, bool rmse)
    {
        int[] dims = rows.Select(r => r.Dimension).Distinct().OrderBy(d => d).ToArray();
        string[] series = rows.Select(r => r.Series).Distinct().ToArray();
        double[] kappas = rows.Where(r => !double.IsNaN(r.Kappa)).Select(r => r.Kappa).Distinct().ToArray();
        const double PanelWidth = 320, PanelHeight = 240, Left = 70, Top = 50, Gap = 80, LegendRow = 18;
        int legendRows = (series.Length + (rmse ? 0 : kappas.Length) + 2) / 3;
        double width = Math.Max(Left + (dims.Length * (PanelWidth + Gap)), 3 * 210 + Left), height = Top + PanelHeight + 60 + (legendRows * LegendRow) + 10;
        var svg = new StringBuilder();
        string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        string what = rmse ? "RMSE" : "bias";
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

            // The range covers the estimators (bias with their spread) and zero; ceilings are clipped to it.
            IEnumerable<double> ys = rmse
                ? panel.Select(r => r.Rmse).Where(double.IsFinite).Append(0.0)
                : panel.SelectMany(r => new[] { r.Bias - r.Std, r.Bias + r.Std }).Where(double.IsFinite).Append(0.0);
            double ly = ys.Min(), hy = ys.Max();
            double pad = Math.Max(1e-9, 0.08 * (hy - ly));
            ly -= pad;
            hy += pad;
            double X(double batch) => x0 + ((Math.Log2(batch) - lx) / (hx - lx) * PanelWidth);
            double Y(double value) => y0 + PanelHeight - ((value - ly) / (hy - ly) * PanelHeight);

            svg.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"panel{p}\"><rect x=\"{N(x0)}\" y=\"{N(y0)}\" width=\"{N(PanelWidth)}\" height=\"{N(PanelHeight)}\"/></clipPath>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"panel\"><rect x=\"{N(x0)}\" y=\"{N(y0)}\" width=\"{N(PanelWidth)}\" height=\"{N(PanelHeight)}\" fill=\"none\" stroke=\"#444\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate({N(x0 - 52)},{N(y0 + (PanelHeight / 2))}) rotate(-90)\" text-anchor=\"middle\">{what} (nats)</text>\n");
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

            if (!rmse)
            {
                // Each kernel kappa's ceiling c - kappa + log k, as a bias.
                for (int ki = 0; ki < kappas.Length; ki++)
                {
                    StudyRow[] ceiling = panel.Where(r => r.Kappa == kappas[ki] && r.Estimator == StudyRunner.KernelEstimators[0] && double.IsFinite(r.Truth)).OrderBy(r => r.Batch).ToArray();
                    svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"ceiling\" clip-path=\"url(#panel{p})\" fill=\"none\" stroke=\"#888\" stroke-dasharray=\"{5 + (3 * ki)},4\" points=\"");
                    svg.AppendJoin(' ', ceiling.Select(r => $"{N(X(r.Batch))},{N(Y(r.Ceiling - r.Truth))}"));
                    svg.Append("\"/>\n");
                }
            }

            for (int s = 0; s < series.Length; s++)
            {
                string color = Colors[s % Colors.Length];
                StudyRow[] line = panel.Where(r => r.Series == series[s] && double.IsFinite(rmse ? r.Rmse : r.Bias)).OrderBy(r => r.Batch).ToArray();
                svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"estimator\" data-estimator=\"{Escape(series[s])}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
                svg.AppendJoin(' ', line.Select(r => $"{N(X(r.Batch))},{N(Y(rmse ? r.Rmse : r.Bias))}"));
                svg.Append("\"/>\n");
                foreach (StudyRow r in line)
                {
                    if (!rmse)
                    {
                        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(r.Batch))}\" y1=\"{N(Y(r.Bias - r.Std))}\" x2=\"{N(X(r.Batch))}\" y2=\"{N(Y(r.Bias + r.Std))}\" stroke=\"{color}\"/>");
                    }

                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(X(r.Batch))}\" cy=\"{N(Y(rmse ? r.Rmse : r.Bias))}\" r=\"3\" fill=\"{color}\"/>\n");
                }
            }

            svg.Append("</g>\n");
        }

        // Legend, three entries a row.
        var entries = series.Select((s, i) => (Label: s, Color: Colors[i % Colors.Length], Dash: (string?)null)).ToList();
        if (!rmse)
        {
            entries.AddRange(kappas.Select((k, ki) => (string.Create(CultureInfo.InvariantCulture, $"ceiling, kappa {k} (as bias)"), "#888", (string?)$"{5 + (3 * ki)},4")));
        }

        double legendTop = Top + PanelHeight + 56;
        for (int i = 0; i < entries.Count; i++)
        {
            double lx0 = Left + ((i % 3) * 210), ly0 = legendTop + ((i / 3) * LegendRow);
            string dash = entries[i].Dash is { } pattern ? $" stroke-dasharray=\"{pattern}\"" : " stroke-width=\"2\"";
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(lx0)}\" y1=\"{N(ly0)}\" x2=\"{N(lx0 + 24)}\" y2=\"{N(ly0)}\" stroke=\"{entries[i].Color}\"{dash}/><text x=\"{N(lx0 + 30)}\" y=\"{N(ly0 + 4)}\">{Escape(entries[i].Label)}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
