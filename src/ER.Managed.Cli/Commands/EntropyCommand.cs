using ER.Managed.Cli.Files;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er entropy Z.npy [--support] [--estimator] [--reduction] [--kappa] [--neighbors] [--normalizer] [--json] [--grad]</c>.
/// The sphere estimators: <c>plugin</c> (= <c>--reduction expectation</c>), <c>joe</c> (= <c>average</c>),
/// <c>joe-loo</c> (Joe's without the self-pair) and <c>knn</c> (the m-th neighbour, no kappa).
/// </summary>
internal static class EntropyCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("Z.npy") { Description = "Embeddings, a k x d .npy (float32, or float64 rounded to float32), or - for standard input; unit rows (sphere) or probability rows (discrete)." };
        Option<string> support = CommonOptions.Support();
        Option<string> estimator = EntropyOptions.Estimator("Sphere estimator: plugin, joe (Joe's), joe-loo (Joe's leave-one-out) or knn (k-nearest-neighbour, no kappa).");
        Option<string> reduction = EntropyOptions.Reduction();
        Option<double> kappa = CommonOptions.Kappa();
        Option<int> neighbors = CommonOptions.PositiveInt("--neighbors", "With --estimator knn: which neighbour's distance to use (m).", defaultValue: 4, helpName: "M");
        Option<string> normalizer = CommonOptions.Normalizer();
        Option<bool> json = JsonKeys.Option(JsonKeys.Entropy);
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
            string method = EntropyOptions.ChooseEstimator(parse, estimator, reduction, neighbors, kappa, grad, sphere);
            var outputs = new OutputFiles(path);
            outputs.Plan("--grad", gradPath);
            using Progress progress = Progress.Start($"reading {path}", parse.GetValue(json));
            (float[] z, int rows, int columns) = CommonOptions.ReadMatrix(path, CommonOptions.NormalizationOf(parse.GetValue(normalize), sphere));
            progress.Step(gradPath is null ? "entropy" : "entropy and its gradient", rows, columns);
            if (parse.GetValue(normalize))
            {
                CommonOptions.NormalizeRows(z, rows, columns, sphere, path);
            }

            EntropyReduction r = EntropyOptions.ReductionOf(method);
            NormalizerMode mode = CommonOptions.ParseNormalizer(parse.GetValue(normalizer)!);
            double k = parse.GetValue(kappa);
            double value;
            double? kappaGradient = null;
            if (method == "knn")
            {
                value = CommonOptions.InCliWords(() => Entropy.SphereKnn(z, rows, columns, parse.GetValue(neighbors)), ("z", path), ("rows", path), ("columns", path));
            }
            else if (gradPath is null)
            {
                value = CommonOptions.InCliWords(() => sphere ? Entropy.Sphere(z, rows, columns, k, r, mode) : Entropy.Discrete(z, rows, columns, r), ("z", path), ("w", path), ("rows", path));
            }
            else
            {
                TermGradients t = CommonOptions.InCliWords(() => sphere ? Entropy.SphereWithGradient(z, rows, columns, k, r, mode) : Entropy.DiscreteWithGradient(z, rows, columns, r), ("z", path), ("w", path), ("rows", path));
                progress.Step($"writing {gradPath}");
                outputs.Set("--grad", GradientOutput.Npy(t.Gradient, rows, columns, parse.GetValue(gradType)!));
                outputs.Commit();
                value = t.Value;
                kappaGradient = sphere ? t.KappaGradient : null;
            }

            progress.Dispose();
            TextWriter report = outputs.WritesStandardOutput ? CliStreams.Notes : stdout;
            string settings = method == "knn" ? $"sphere, knn, m = {parse.GetValue(neighbors)}" : EntropyOptions.Settings(parse, sphere, method, reduction, normalizer, kappa);
            EntropyOptions.Report(report, parse.GetValue(json), value, kappaGradient, settings, rows, columns);

            return Cli.Success;
        });
        return command;
    }
}
