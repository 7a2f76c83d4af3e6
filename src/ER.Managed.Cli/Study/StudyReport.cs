using System.Collections.Generic;
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
                    ? double.IsNaN(r.Mean) ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{r.Bias:F3} ({r.Rmse:F3})")
                    : string.Empty));
                text.Append(" |\n");
            }

            text.Append('\n');
        }

        text.Append("Ceilings are shown as biases (ceiling - truth).\n");
        if (rows.Any(r => double.IsNaN(r.Mean)))
        {
            text.Append("\n`n/a`: the estimator does not apply there (kNN needs d >= 2 and more than m rows; leaving one out needs 2 rows); its CSV cells are empty.\n");
        }

        if (rows.Any(r => double.IsNegativeInfinity(r.Mean)))
        {
            text.Append("\nA bias of -Infinity: in at least one repetition a row had m or more copies equal to it in float32 (very concentrated data), where the kNN estimator diverges; that series' standard deviation and interval are left empty and the plots leave it out.\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// Bias (with +-1 std bars, a zero line and the ceilings dashed in grey) or RMSE against the
    /// batch size (log scale), one panel per dimension, one line per estimator series. A series'
    /// colour and marker say its estimator and its dash says its kernel kappa, so every series
    /// differs from every other in a way that survives print and colour blindness; the value axis
    /// has round ticks (<see cref="NiceTicks"/>).
    /// </summary>
    internal static string Svg(IReadOnlyList<StudyRow> rows, string title, bool rmse)
    {
        int[] dims = rows.Select(r => r.Dimension).Distinct().OrderBy(d => d).ToArray();
        StudyRow[] seriesRows = rows.DistinctBy(r => r.Series).ToArray();
        double[] kappas = rows.Where(r => !double.IsNaN(r.Kappa)).Select(r => r.Kappa).Distinct().ToArray();
        SeriesStyle[] styles = seriesRows.Select(r => Style(r.Estimator, Array.IndexOf(kappas, r.Kappa))).ToArray();
        const double PanelWidth = 320, PanelHeight = 240, Left = 70, Top = 50, Gap = 80, LegendRow = 18, LegendColumn = 230;
        int legendRows = (seriesRows.Length + (rmse ? 0 : kappas.Length) + 2) / 3;
        double width = Math.Max(Left + (dims.Length * (PanelWidth + Gap)), (3 * LegendColumn) + Left), height = Top + PanelHeight + 60 + (legendRows * LegendRow) + 10;
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

            // Half a step of margin left and right keeps the end markers inside the frame.
            double margin = 0.04 * (hx - lx);
            lx -= margin;
            hx += margin;

            // The range covers the estimators (bias with their spread) and zero, widened to round
            // ticks; ceilings are clipped to it.
            IEnumerable<double> ys = rmse
                ? panel.Select(r => r.Rmse).Where(double.IsFinite).Append(0.0)
                : panel.SelectMany(r => new[] { r.Bias - r.Std, r.Bias + r.Std }).Where(double.IsFinite).Append(0.0);
            double[] ticks = NiceTicks(ys.Min(), ys.Max());
            double ly = ticks[0], hy = ticks[^1];
            double X(double batch) => x0 + ((Math.Log2(batch) - lx) / (hx - lx) * PanelWidth);
            double Y(double value) => y0 + PanelHeight - ((value - ly) / (hy - ly) * PanelHeight);

            svg.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"panel{p}\"><rect x=\"{N(x0)}\" y=\"{N(y0)}\" width=\"{N(PanelWidth)}\" height=\"{N(PanelHeight)}\"/></clipPath>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"panel\"><rect x=\"{N(x0)}\" y=\"{N(y0)}\" width=\"{N(PanelWidth)}\" height=\"{N(PanelHeight)}\" fill=\"none\" stroke=\"#444\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate({N(x0 - 52)},{N(y0 + (PanelHeight / 2))}) rotate(-90)\" text-anchor=\"middle\">{what} (nats)</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x0 + (PanelWidth / 2))}\" y=\"{N(y0 - 8)}\" text-anchor=\"middle\">d = {dims[p]}</text>\n");
            string decimals = TickFormat(ticks);
            foreach (double v in ticks)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{N(x0)}\" y1=\"{N(Y(v))}\" x2=\"{N(x0 + PanelWidth)}\" y2=\"{N(Y(v))}\" stroke=\"#e4e4e4\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{N(x0 - 4)}\" y=\"{N(Y(v) + 4)}\" text-anchor=\"end\">{v.ToString(decimals, CultureInfo.InvariantCulture)}</text>\n");
            }

            if (!rmse)
            {
                // Zero bias is the target: a solid dark line across the panel.
                svg.Append(CultureInfo.InvariantCulture, $"<line class=\"zero\" x1=\"{N(x0)}\" y1=\"{N(Y(0))}\" x2=\"{N(x0 + PanelWidth)}\" y2=\"{N(Y(0))}\" stroke=\"#222\" stroke-width=\"1.2\"/>\n");
            }

            foreach (double b in batches)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(b))}\" y=\"{N(y0 + PanelHeight + 16)}\" text-anchor=\"middle\">{b}</text>\n");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x0 + (PanelWidth / 2))}\" y=\"{N(y0 + PanelHeight + 34)}\" text-anchor=\"middle\">batch size k (log scale)</text>\n");

            if (!rmse)
            {
                // Each kernel kappa's ceiling c - kappa + log k, as a bias.
                for (int ki = 0; ki < kappas.Length; ki++)
                {
                    StudyRow[] ceiling = panel.Where(r => r.Kappa == kappas[ki] && r.Estimator == StudyRunner.KernelEstimators[0] && double.IsFinite(r.Truth)).OrderBy(r => r.Batch).ToArray();
                    svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"ceiling\" clip-path=\"url(#panel{p})\" fill=\"none\" stroke=\"#999\" stroke-width=\"1.5\" stroke-dasharray=\"{CeilingDash(ki)}\" points=\"");
                    svg.AppendJoin(' ', ceiling.Select(r => $"{N(X(r.Batch))},{N(Y(r.Ceiling - r.Truth))}"));
                    svg.Append("\"/>\n");
                }
            }

            for (int s = 0; s < seriesRows.Length; s++)
            {
                SeriesStyle style = styles[s];
                StudyRow[] line = panel.Where(r => r.Series == seriesRows[s].Series && double.IsFinite(rmse ? r.Rmse : r.Bias)).OrderBy(r => r.Batch).ToArray();
                svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"estimator\" data-estimator=\"{Escape(seriesRows[s].Series)}\" clip-path=\"url(#panel{p})\" fill=\"none\" stroke=\"{style.Color}\" stroke-width=\"2\"{DashAttribute(style.Dash)} points=\"");
                svg.AppendJoin(' ', line.Select(r => $"{N(X(r.Batch))},{N(Y(rmse ? r.Rmse : r.Bias))}"));
                svg.Append("\"/>\n");
                foreach (StudyRow r in line)
                {
                    if (!rmse)
                    {
                        svg.Append(CultureInfo.InvariantCulture, $"<line clip-path=\"url(#panel{p})\" x1=\"{N(X(r.Batch))}\" y1=\"{N(Y(r.Bias - r.Std))}\" x2=\"{N(X(r.Batch))}\" y2=\"{N(Y(r.Bias + r.Std))}\" stroke=\"{style.Color}\"/>");
                    }

                    svg.Append(Marker(style, X(r.Batch), Y(rmse ? r.Rmse : r.Bias))).Append('\n');
                }
            }

            svg.Append("</g>\n");
        }

        // Legend, three entries a row: each series' line with its dash and marker.
        double legendTop = Top + PanelHeight + 56;
        int entry = 0;
        void Legend(string label, string line)
        {
            double lx0 = Left + ((entry % 3) * LegendColumn), ly0 = legendTop + ((entry / 3) * LegendRow);
            svg.Append(line.Replace("{X1}", N(lx0), StringComparison.Ordinal).Replace("{X2}", N(lx0 + 28), StringComparison.Ordinal).Replace("{Y}", N(ly0), StringComparison.Ordinal));
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(lx0 + 34)}\" y=\"{N(ly0 + 4)}\">{Escape(label)}</text>\n");
            entry++;
        }

        for (int s = 0; s < seriesRows.Length; s++)
        {
            SeriesStyle style = styles[s];
            double lx0 = Left + ((entry % 3) * LegendColumn), ly0 = legendTop + ((entry / 3) * LegendRow);
            Legend(seriesRows[s].Series, $"<line x1=\"{{X1}}\" y1=\"{{Y}}\" x2=\"{{X2}}\" y2=\"{{Y}}\" stroke=\"{style.Color}\" stroke-width=\"2\"{DashAttribute(style.Dash)}/>{Marker(style, lx0 + 14, ly0)}");
        }

        if (!rmse)
        {
            for (int ki = 0; ki < kappas.Length; ki++)
            {
                Legend(string.Create(CultureInfo.InvariantCulture, $"ceiling, kappa {kappas[ki]} (as bias)"), $"<line x1=\"{{X1}}\" y1=\"{{Y}}\" x2=\"{{X2}}\" y2=\"{{Y}}\" stroke=\"#999\" stroke-width=\"1.5\" stroke-dasharray=\"{CeilingDash(ki)}\"/>");
            }
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>A series' look: its estimator's colour and marker, its kernel kappa's dash (null: solid).</summary>
    internal readonly record struct SeriesStyle(string Color, string Marker, string? Dash);

    /// <summary>
    /// Colours from Okabe and Ito's palette (told apart under the common colour blindnesses), one per
    /// estimator, with a marker each as well; the kernel kappa's index picks the dash.
    /// </summary>
    internal static SeriesStyle Style(string estimator, int kappaIndex)
    {
        (string color, string marker) = estimator switch
        {
            "plugin" => ("#0072B2", "circle"),
            "joe" => ("#E69F00", "square"),
            "joe-loo" => ("#009E73", "triangle"),
            "knn-1" => ("#D55E00", "diamond"),
            "knn-4" => ("#CC79A7", "triangle-down"),
            "joe-cv" => ("#000000", "square-open"),
            "joe-loo-cv" => ("#56B4E9", "circle-open"),
            _ => ("#777777", "cross"),
        };
        string?[] dashes = [null, "7,3", "2,3", "9,3,2,3"];
        return new SeriesStyle(color, marker, kappaIndex <= 0 ? null : dashes[kappaIndex % dashes.Length]);
    }

    private static string CeilingDash(int kappaIndex) => kappaIndex % 2 == 0 ? "5,4" : "1,4";

    private static string DashAttribute(string? dash) => dash is null ? string.Empty : $" stroke-dasharray=\"{dash}\"";

    private static string Marker(SeriesStyle style, double x, double y)
    {
        string X(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        const double R = 3.5;
        return style.Marker switch
        {
            "circle" => $"<circle cx=\"{X(x)}\" cy=\"{X(y)}\" r=\"{X(R)}\" fill=\"{style.Color}\"/>",
            "circle-open" => $"<circle cx=\"{X(x)}\" cy=\"{X(y)}\" r=\"{X(R)}\" fill=\"white\" stroke=\"{style.Color}\" stroke-width=\"1.5\"/>",
            "square" => $"<rect x=\"{X(x - R)}\" y=\"{X(y - R)}\" width=\"{X(2 * R)}\" height=\"{X(2 * R)}\" fill=\"{style.Color}\"/>",
            "square-open" => $"<rect x=\"{X(x - R)}\" y=\"{X(y - R)}\" width=\"{X(2 * R)}\" height=\"{X(2 * R)}\" fill=\"white\" stroke=\"{style.Color}\" stroke-width=\"1.5\"/>",
            "triangle" => $"<polygon points=\"{X(x)},{X(y - R - 1)} {X(x - R - 1)},{X(y + R)} {X(x + R + 1)},{X(y + R)}\" fill=\"{style.Color}\"/>",
            "triangle-down" => $"<polygon points=\"{X(x)},{X(y + R + 1)} {X(x - R - 1)},{X(y - R)} {X(x + R + 1)},{X(y - R)}\" fill=\"{style.Color}\"/>",
            "diamond" => $"<polygon points=\"{X(x)},{X(y - R - 1)} {X(x + R + 1)},{X(y)} {X(x)},{X(y + R + 1)} {X(x - R - 1)},{X(y)}\" fill=\"{style.Color}\"/>",
            _ => $"<path d=\"M{X(x - R)},{X(y - R)}L{X(x + R)},{X(y + R)}M{X(x - R)},{X(y + R)}L{X(x + R)},{X(y - R)}\" stroke=\"{style.Color}\" stroke-width=\"1.5\"/>",
        };
    }

    /// <summary>
    /// Round ticks covering [<paramref name="low"/>, <paramref name="high"/>]: a step of 1, 2 or 5
    /// times a power of ten, the smallest that needs at most <paramref name="most"/> intervals; the
    /// first and last ticks are the axis' ends.
    /// </summary>
    internal static double[] NiceTicks(double low, double high, int most = 6)
    {
        if (!(high > low))
        {
            double half = low == 0 ? 1 : Math.Abs(low) * 0.1;
            (low, high) = (low - half, high + half);
        }

        double step = 0;
        for (double power = Math.Pow(10, Math.Floor(Math.Log10((high - low) / most))); step == 0; power *= 10)
        {
            foreach (double factor in (ReadOnlySpan<double>)[1, 2, 5])
            {
                double candidate = factor * power;
                if (Math.Ceiling((high / candidate) - 1e-9) - Math.Floor((low / candidate) + 1e-9) <= most)
                {
                    step = candidate;
                    break;
                }
            }
        }

        long first = (long)Math.Floor((low / step) + 1e-9), last = (long)Math.Ceiling((high / step) - 1e-9);
        var ticks = new double[last - first + 1];
        for (long t = first; t <= last; t++)
        {
            // Multiplying the integer index keeps 0.30000000000000004 out of the labels.
            ticks[t - first] = Math.Round(t * step, 12);
        }

        return ticks;
    }

    /// <summary>The format that prints each tick with the decimals its step needs, no more.</summary>
    private static string TickFormat(double[] ticks)
    {
        double step = ticks.Length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        return decimals == 0 ? "0" : "0." + new string('0', decimals);
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
