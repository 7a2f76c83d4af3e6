using ER.Managed.Cli.Files;

namespace ER.Managed.Cli.Commands;

/// <summary><c>er reconstruction A.npy B.npy [--support] [--kappa] [--normalizer] [--json]</c>.</summary>
internal static class ReconstructionCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var first = new Argument<string>("A.npy") { Description = "View 1, a k x d .npy (float32, or float64 rounded to float32), or - for standard input." };
        var second = new Argument<string>("B.npy") { Description = "View 2, a k x d .npy like view 1 (row i pairs with row i of view 1)." };
        Option<string> support = CommonOptions.Support();
        Option<double> kappa = CommonOptions.Kappa();
        Option<string> normalizer = CommonOptions.Normalizer();
        Option<bool> json = JsonKeys.Option(JsonKeys.Reconstruction);
        Option<string?> gradA = GradientOutput.Path("--grad-a", "Write dR/dA (k x d) to this .npy file; with --json, sphere support also reports grad_kappa.");
        Option<string?> gradB = GradientOutput.Path("--grad-b", "Write dR/dB (k x d) to this .npy file.");
        Option<string> gradType = GradientOutput.DataType();
        Option<bool> normalize = CommonOptions.Normalize();
        var command = new Command("reconstruction", "Reconstruction term R between two views, in nats.") { first, second, support, kappa, normalizer, json, gradA, gradB, gradType, normalize };
        command.SetAction(parse =>
        {
            string pathA = parse.GetValue(first)!, pathB = parse.GetValue(second)!;
            bool sphere = parse.GetValue(support) == "sphere";
            CommonOptions.CheckKappaUsed(parse, kappa, sphere);
            string? pathGradA = parse.GetValue(gradA), pathGradB = parse.GetValue(gradB);
            var outputs = new OutputFiles(pathA, pathB);
            outputs.Plan("--grad-a", pathGradA);
            outputs.Plan("--grad-b", pathGradB);
            RowNormalization rowNormalization = CommonOptions.NormalizationOf(parse.GetValue(normalize), sphere);
            using Progress progress = Progress.Start($"reading {pathA} and {pathB}", parse.GetValue(json));
            (float[] a, int rows, int columns) = CommonOptions.ReadMatrix(pathA, rowNormalization);
            (float[] b, int rowsB, int columnsB) = CommonOptions.ReadMatrix(pathB, rowNormalization);
            if (rows != rowsB || columns != columnsB)
            {
                throw new CliInputException($"{pathA} is {rows} x {columns} but {pathB} is {rowsB} x {columnsB}; the views must have the same shape.");
            }

            if (parse.GetValue(normalize))
            {
                CommonOptions.NormalizeRows(a, rows, columns, sphere, pathA);
                CommonOptions.NormalizeRows(b, rows, columns, sphere, pathB);
            }

            NormalizerMode mode = CommonOptions.ParseNormalizer(parse.GetValue(normalizer)!);
            progress.Step(pathGradA is null && pathGradB is null ? "reconstruction" : "reconstruction and its gradients", rows, columns);
            double k = parse.GetValue(kappa);
            double value;
            double? kappaGradient = null;
            if (pathGradA is null && pathGradB is null)
            {
                value = CommonOptions.InCliWords(() => sphere ? Reconstruction.Sphere(a, b, rows, columns, k, mode) : Reconstruction.Discrete(a, b, rows, columns), ("a", pathA), ("b", pathB));
            }
            else
            {
                TermGradients t = CommonOptions.InCliWords(() => sphere ? Reconstruction.SphereWithGradient(a, b, rows, columns, k, mode) : Reconstruction.DiscreteWithGradient(a, b, rows, columns), ("a", pathA), ("b", pathB));
                string dataType = parse.GetValue(gradType)!;
                outputs.Set("--grad-a", GradientOutput.Npy(t.Gradient, rows, columns, dataType));
                outputs.Set("--grad-b", GradientOutput.Npy(t.GradientB!, rows, columns, dataType));
                outputs.Commit();

                value = t.Value;
                kappaGradient = sphere ? t.KappaGradient : null;
            }

            progress.Dispose();
            TextWriter report = outputs.WritesStandardOutput ? CliStreams.Notes : stdout;
            if (parse.GetValue(json))
            {
                CommonOptions.WriteValueJson(report, value, kappaGradient);
            }
            else
            {
                string settings = sphere ? $"sphere, {parse.GetValue(normalizer)} normalizer, kappa {CommonOptions.Format(k)}" : "discrete";
                report.WriteLine($"reconstruction = {CommonOptions.Format(value)} nats ({settings}; k = {rows}, d = {columns})");
            }

            return Cli.Success;
        });
        return command;
    }
}
