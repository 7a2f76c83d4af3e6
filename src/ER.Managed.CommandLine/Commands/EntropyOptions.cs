namespace ER.Managed.Cli.Commands;

/// <summary>What <c>er entropy</c> and <c>er-mpi entropy</c> share: the estimator options, their checks and the report.</summary>
internal static class EntropyOptions
{
    internal static readonly string[] Estimators = ["plugin", "joe", "joe-loo", "knn"];

    internal static Option<string> Estimator(string description) => CommonOptions.Choice("--estimator", description, Estimators);

    internal static Option<string> Reduction() =>
        CommonOptions.Choice("--reduction", "expectation (plug-in) or average (Joe's / cross-entropy from uniform); for the sphere the same as --estimator plugin or joe.", "expectation", "average");

    /// <summary>The parenthesis of the text report for the kernel estimators and the discrete entropy.</summary>
    internal static string Settings(ParseResult parse, bool sphere, string method, Option<string> reduction, Option<string> normalizer, Option<double> kappa) =>
        sphere
            ? $"sphere, {method}, {parse.GetValue(normalizer)} normalizer, kappa {CommonOptions.Format(parse.GetValue(kappa))}"
            : $"discrete, {parse.GetValue(reduction)}";

    /// <summary>The result: <c>{"value": H[, "grad_kappa": G]}</c> with <paramref name="json"/>, else one line of text.</summary>
    internal static void Report(TextWriter report, bool json, double value, double? kappaGradient, string settings, int rows, int columns)
    {
        if (json)
        {
            CommonOptions.WriteValueJson(report, value, kappaGradient);
        }
        else
        {
            report.WriteLine($"entropy = {CommonOptions.Format(value)} nats ({settings}; k = {rows}, d = {columns})");
        }
    }

    /// <summary>
    /// The estimator from --estimator and --reduction (which must agree where both are given), with
    /// the options that only some estimators use refused elsewhere. For the discrete support: the
    /// reduction.
    /// </summary>
    internal static string ChooseEstimator(ParseResult parse, Option<string> estimator, Option<string> reduction, Option<int>? neighbors, Option<double> kappa, Option<string?> grad, bool sphere)
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

        if (chosen != "knn" && neighbors is not null && parse.GetResult(neighbors) is { Implicit: false })
        {
            throw new CliUsageException("--neighbors is for --estimator knn.");
        }

        if (chosen == "knn" && parse.GetResult(kappa) is { Implicit: false })
        {
            throw new CliUsageException("--estimator knn has no kernel, so no --kappa.");
        }

        if (chosen is "knn" && parse.GetValue(grad) is not null)
        {
            throw new CliUsageException("--grad is for the kernel estimators (plugin, joe, joe-loo); the kNN estimate has no gradient here.");
        }

        return chosen;
    }

    /// <summary>The library's reduction for a chosen estimator (or the discrete support's reduction).</summary>
    internal static EntropyReduction ReductionOf(string method) => method switch
    {
        "joe" or "average" => EntropyReduction.Average,
        "joe-loo" => EntropyReduction.LeaveOneOut,
        _ => EntropyReduction.Expectation,
    };
}
