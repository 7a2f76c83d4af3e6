using System.CommandLine;
using System.IO;
using ER.Managed.Cli.Files;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er entropy Z.npy [--support] [--estimator] [--reduction] [--kappa] [--neighbors] [--normalizer] [--json] [--grad]</c>.
/// The sphere estimators: <c>plugin</c> (= <c>--reduction expectation</c>), <c>joe</c> (= <c>average</c>),
/// <c>joe-loo</c> (Joe's without the self-pair) and <c>knn</c> (the m-th neighbour, no kappa).
/// </summary>
internal static class EntropyCommand
{
    internal static readonly string[] Estimators = ["plugin", "joe", "joe-loo", "knn"];

    internal static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("Z.npy") { Description = "Embeddings, a k x d .npy (float32, or float64 rounded to float32), or - for standard input; unit rows (sphere) or probability rows (discrete)." };
        Option<string> support = CommonOptions.Support();
        Option<string> estimator = CommonOptions.Choice("--estimator", "Sphere estimator: plugin, joe (Joe's), joe-loo (Joe's leave-one-out) or knn (k-nearest-neighbour, no kappa).", Estimators);
        Option<string> reduction = CommonOptions.Choice("--reduction", "expectation (plug-in) or average (Joe's / cross-entropy from uniform); for the sphere the same as --estimator plugin or joe.", "expectation", "average");
        Option<double> kappa = CommonOptions.Kappa();
        Option<int> neighbors = CommonOptions.PositiveInt("--neighbors", "With --estimator knn: which neighbour's distance to use (m).", defaultValue: 4, helpName: "M");
        Option<string> normalizer = CommonOptions.Normalizer();
        Option<bool> json = CommonOptions.Json();
        Option<string?> grad = GradientOutput.Path("--grad", "Write dH/dZ (k x d) to this .npy file (the gradient with respect to the rows as given to the term, after --normalize); with --json, sphere support also reports grad_kappa.");
        Option<string> gradType = GradientOutput.DataType();
        Option<bool> normalize = CommonOptions.Normalize();
        var command = new Command("entropy", "Entropy H of a batch, in nats.") { input, support, estimator, reduction, kappa, neighbors, normalizer, json, grad, gradType, normalize };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(input)!;
            string? gradPath = parse.GetValue(grad);
            bool sphere = parse.GetValue(support) == "sphere";
            CommonOptions.CheckKappaUsed(parse, kappa, sphere);
            string method = ChooseEstimator(parse, estimator, reduction, neighbors, kappa, grad, sphere);
            var outputs = new OutputFiles(path);
            outputs.Plan("--grad", gradPath);
            (float[] z, int rows, int columns) = CommonOptions.ReadMatrix(path);
            if (parse.GetValue(normalize))
            {
                CommonOptions.NormalizeRows(z, rows, columns, sphere, path);
            }

            EntropyReduction r = method is "joe" or "average" ? EntropyReduction.Average : EntropyReduction.Expectation;
            NormalizerMode mode = CommonOptions.ParseNormalizer(parse.GetValue(normalizer)!);
            double k = parse.GetValue(kappa);
            double value;
            double? kappaGradient = null;
            if (method == "knn")
            {
                value = CommonOptions.InCliWords(() => Entropy.SphereKnn(z, rows, columns, parse.GetValue(neighbors)), ("z", path), ("rows", path), ("columns", path));
            }
            else if (method == "joe-loo")
            {
                value = CommonOptions.InCliWords(() => Entropy.SphereLeaveOneOut(z, rows, columns, k, mode), ("z", path), ("rows", path));
            }
            else if (gradPath is null)
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
                string settings = !sphere
                    ? $"discrete, {parse.GetValue(reduction)}"
                    : method == "knn"
                        ? $"sphere, knn, m = {parse.GetValue(neighbors)}"
                        : $"sphere, {method}, {parse.GetValue(normalizer)} normalizer, kappa {CommonOptions.Format(k)}";
                report.WriteLine($"entropy = {CommonOptions.Format(value)} nats ({settings}; k = {rows}, d = {columns})");
            }

            return Cli.Success;
        });
        return command;
    }

    /// <summary>
    /// The estimator from --estimator and --reduction (which must agree where both are given), with
    /// the options that only some estimators use refused elsewhere. For the discrete support: the
    /// reduction.
    /// </summary>
    private static string ChooseEstimator(ParseResult parse, Option<string> estimator, Option<string> reduction, Option<int> neighbors, Option<double> kappa, Option<string?> grad, bool sphere)
    {
        bool estimatorGiven = parse.GetResult(estimator) is { Implicit: false };
        bool reductionGiven = parse.GetResult(reduction) is { Implicit: false };
        string chosen = parse.GetValue(estimator)!;
        if (!sphere)
        {
            if (estimatorGiven)
            {
                throw new CliUsageException("--estimator chooses among the sphere estimators; the discrete entropy takes --reduction.");
            }

            return parse.GetValue(reduction)!;
        }

        if (!estimatorGiven && reductionGiven)
        {
            chosen = parse.GetValue(reduction) == "average" ? "joe" : "plugin";
        }
        else if (estimatorGiven && reductionGiven && (chosen, parse.GetValue(reduction)) is not (("plugin", "expectation") or ("joe", "average")))
        {
            throw new CliUsageException($"--estimator {chosen} and --reduction {parse.GetValue(reduction)} disagree; give one of them.");
        }

        if (chosen != "knn" && parse.GetResult(neighbors) is { Implicit: false })
        {
            throw new CliUsageException("--neighbors is for --estimator knn.");
        }

        if (chosen == "knn" && parse.GetResult(kappa) is { Implicit: false })
        {
            throw new CliUsageException("--estimator knn has no kernel, so no --kappa.");
        }

        if (chosen is "knn" or "joe-loo" && parse.GetValue(grad) is not null)
        {
            throw new CliUsageException($"--grad is for the plugin and joe estimators; {chosen} has no gradient here.");
        }

        return chosen;
    }
}
