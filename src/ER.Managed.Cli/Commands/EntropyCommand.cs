using System.CommandLine;
using System.IO;
using ER.Managed.Cli.Files;

namespace ER.Managed.Cli.Commands;

/// <summary><c>er entropy Z.npy [--support] [--reduction] [--kappa] [--normalizer] [--json]</c>.</summary>
internal static class EntropyCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("Z.npy") { Description = "Embeddings, a k x d .npy (float32, or float64 rounded to float32), or - for standard input; unit rows (sphere) or probability rows (discrete)." };
        Option<string> support = CommonOptions.Support();
        Option<string> reduction = CommonOptions.Choice("--reduction", "expectation (plug-in) or average (Joe's / cross-entropy from uniform).", "expectation", "average");
        Option<double> kappa = CommonOptions.Kappa();
        Option<string> normalizer = CommonOptions.Normalizer();
        Option<bool> json = CommonOptions.Json();
        Option<string?> grad = GradientOutput.Path("--grad", "Write dH/dZ (k x d) to this .npy file (the gradient with respect to the rows as given to the term, after --normalize); with --json, sphere support also reports grad_kappa.");
        Option<string> gradType = GradientOutput.DataType();
        Option<bool> normalize = CommonOptions.Normalize();
        var command = new Command("entropy", "Entropy H of a batch, in nats.") { input, support, reduction, kappa, normalizer, json, grad, gradType, normalize };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(input)!;
            string? gradPath = parse.GetValue(grad);
            var outputs = new OutputFiles(path);
            outputs.Plan("--grad", gradPath);
            (float[] z, int rows, int columns) = CommonOptions.ReadMatrix(path);
            bool sphere = parse.GetValue(support) == "sphere";
            CommonOptions.CheckKappaUsed(parse, kappa, sphere);
            if (parse.GetValue(normalize))
            {
                CommonOptions.NormalizeRows(z, rows, columns, sphere, path);
            }

            EntropyReduction r = parse.GetValue(reduction) == "average" ? EntropyReduction.Average : EntropyReduction.Expectation;
            NormalizerMode mode = CommonOptions.ParseNormalizer(parse.GetValue(normalizer)!);
            double k = parse.GetValue(kappa);
            double value;
            double? kappaGradient = null;
            if (gradPath is null)
            {
                value = CommonOptions.InCliWords(() => sphere ? Entropy.Sphere(z, rows, columns, k, r, mode) : Entropy.Discrete(z, rows, columns, r), ("z", path), ("w", path));
            }
            else
            {
                TermGradients t = CommonOptions.InCliWords(() => sphere ? Entropy.SphereWithGradient(z, rows, columns, k, r, mode) : Entropy.DiscreteWithGradient(z, rows, columns, r), ("z", path), ("w", path));
                outputs.Set("--grad", GradientOutput.Npy(t.Gradient, rows, columns, parse.GetValue(gradType)!));
                outputs.Commit();
                value = t.Value;
                kappaGradient = sphere ? t.KappaGradient : null;
            }

            TextWriter report = outputs.WritesStandardOutput ? CliStreams.Notes : stdout;
            if (parse.GetValue(json))
            {
                CommonOptions.WriteValueJson(report, value, kappaGradient);
            }
            else
            {
                string settings = sphere
                    ? $"sphere, {parse.GetValue(reduction)}, {parse.GetValue(normalizer)} normalizer, kappa {CommonOptions.Format(k)}"
                    : $"discrete, {parse.GetValue(reduction)}";
                report.WriteLine($"entropy = {CommonOptions.Format(value)} nats ({settings}; k = {rows}, d = {columns})");
            }

            return Cli.Success;
        });
        return command;
    }
}
