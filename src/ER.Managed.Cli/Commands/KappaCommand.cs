using System.Text.Json;
using ER.Managed.Estimation;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er kappa Z.npy [--method loo|rule-of-thumb] [--normalize] [--json]</c>: a kernel concentration from
/// the data (the JSON keys are in <see cref="JsonKeys.Kappa"/>).
/// </summary>
internal static class KappaCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("Z.npy") { Description = "Samples, an n x d .npy of unit rows (float32, or float64 rounded to float32), or - for standard input." };
        Option<string> method = CommonOptions.Choice("--method", "loo (maximize the leave-one-out likelihood of the vMF kernel density) or rule-of-thumb (García-Portugués 2013).", "loo", "rule-of-thumb");
        Option<bool> normalize = CommonOptions.Normalize();
        Option<bool> json = JsonKeys.Option(JsonKeys.Kappa);
        var command = new Command("kappa", "Choose the vMF kernel's concentration kappa from the data. The boundary is none (an interior maximum), uniform (the likelihood is largest as kappa -> 0: kappa = 0 is returned, valid for every term) or concentrated (still rising at kappa = 1e6, returned: near-duplicate rows).") { input, method, normalize, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(input)!;
            using Progress progress = Progress.Start($"reading {path}", parse.GetValue(json));
            (float[] z, int rows, int columns) = CommonOptions.ReadMatrix(path, CommonOptions.NormalizationOf(parse.GetValue(normalize), sphere: true));
            if (parse.GetValue(normalize))
            {
                CommonOptions.NormalizeRows(z, rows, columns, sphere: true, path);
            }

            bool loo = parse.GetValue(method) == "loo";
            progress.Step(loo ? "maximizing the leave-one-out likelihood" : "fitting a vMF", rows, columns);
            KappaSelectionResult result = CommonOptions.InCliWords(
                () => loo ? KappaSelection.LeaveOneOut(z, rows, columns) : KappaSelection.RuleOfThumb(z, rows, columns),
                ("z", path),
                ("rows", path),
                ("columns", path));
            progress.Dispose();
            if (parse.GetValue(json))
            {
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("kappa", result.Kappa);
                    writer.WriteNumber("log_likelihood", result.LogLikelihood);
                    writer.WriteString("method", parse.GetValue(method));
                    writer.WriteNumber("iterations", result.Iterations);
                    writer.WriteString("boundary", BoundaryName(result.Boundary));
                    writer.WriteEndObject();
                }

                stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                string what = loo ? "likelihood evaluations" : "evaluations of the vMF fit";
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kappa = {CommonOptions.Format(result.Kappa)} ({parse.GetValue(method)}; leave-one-out log-likelihood {CommonOptions.Format(result.LogLikelihood)} nats per sample; {result.Iterations} {what}; n = {rows}, d = {columns})"));
                string? note = result.Boundary switch
                {
                    KappaSelectionBoundary.Uniform => "boundary: uniform (the likelihood is largest as kappa -> 0: these samples are no more concentrated than uniform; kappa = 0 is valid for every term)",
                    KappaSelectionBoundary.Concentrated => string.Create(CultureInfo.InvariantCulture, $"boundary: concentrated (the likelihood still rises at kappa = {CommonOptions.Format(KappaSelection.MaxKappa)}, the search's ceiling: some rows (nearly) duplicate others)"),
                    _ => null,
                };
                if (note is not null)
                {
                    stdout.WriteLine(note);
                }
            }

            return Cli.Success;
        });
        return command;
    }

    /// <summary>The <c>boundary</c> value of the JSON output: none, uniform or concentrated.</summary>
    internal static string BoundaryName(KappaSelectionBoundary boundary) => boundary switch
    {
        KappaSelectionBoundary.Uniform => "uniform",
        KappaSelectionBoundary.Concentrated => "concentrated",
        _ => "none",
    };
}
