using System.Linq;
using ER.Managed.Cli.Files;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er loss V1.npy V2.npy [V3.npy ...] [--support] [--kappa] [--estimator plugin|joe|joe-loo] [--global G]
/// [--entropy-of all|global] [--entropy-weight B] [--reconstruction-weight A] [--temperature T] [--normalizer]
/// [--json] [--grad-prefix PREFIX] [--grad-dtype]</c>: the whole ER objective of <see cref="ErLoss"/> on raw
/// projector outputs, <c>a mean_pairs R - b mean_E H</c> (the JSON keys are in <see cref="JsonKeys.Loss"/>).
/// </summary>
internal static class LossCommand
{
    internal static readonly string[] Estimators = ["plugin", "joe", "joe-loo"];

    internal static Command Create(TextWriter stdout)
    {
        var views = new Argument<string[]>("VIEW.npy")
        {
            Description = "Two or more views, each a k x d .npy of raw projector outputs (float32, or float64 rounded to float32), before any normalization: the loss applies L2 normalization (sphere) or a softmax with --temperature (discrete) itself. One of them may be - for standard input.",
            Arity = new ArgumentArity(1, 100_000),
        };
        Option<string> support = CommonOptions.Support();
        Option<double> kappa = CommonOptions.Kappa();
        Option<string> estimator = CommonOptions.Choice("--estimator", "Entropy estimator: plugin, joe (Joe's) or joe-loo (Joe's leave-one-out, sphere only); for the discrete support plugin is the expectation and joe the average.", Estimators);
        var global = new Option<int?>("--global")
        {
            Description = "G, how many of the first views are global crops (all when not given): the reconstruction averages over the pairs that hold at least one global view.",
            HelpName = "G",
            CustomParser = result => CommonOptions.Token(
                text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : (int?)null,
                "--global expects an integer (the number of global views)",
                0)(result),
        };
        Option<string> entropyOf = CommonOptions.Choice("--entropy-of", "Whose entropies are averaged: all views or the global ones (the first G).", "all", "global");
        Option<double> entropyWeight = FiniteDouble("--entropy-weight", "B", "The entropy term's weight b.");
        Option<double> reconstructionWeight = FiniteDouble("--reconstruction-weight", "A", "The reconstruction term's weight a.");
        Option<double> temperature = CommonOptions.PositiveDouble("--temperature", 1.0, "Softmax temperature of the discrete support (> 0).");
        Option<string> normalizer = CommonOptions.Normalizer();
        Option<bool> json = JsonKeys.Option(JsonKeys.Loss);
        var gradPrefix = new Option<string?>("--grad-prefix")
        {
            Description = "Write dLoss/dview for each raw view to PREFIX1.npy, PREFIX2.npy, ... (k x d each, all or none; never over an input).",
            HelpName = "PREFIX",
        };
        Option<string> gradType = GradientOutput.DataType();
        var command = new Command("loss", "The ER objective a R - b H over two views or more (multi-crop), on raw projector outputs, with its gradients.")
        {
            views, support, kappa, estimator, global, entropyOf, entropyWeight, reconstructionWeight, temperature, normalizer, json, gradPrefix, gradType,
        };
        command.SetAction(parse =>
        {
            string[] paths = parse.GetValue(views)!;
            if (paths.Length < 2)
            {
                throw new CliUsageException("er loss takes two views or more (the reconstruction pairs them); got one.");
            }

            bool sphere = parse.GetValue(support) == "sphere";
            CommonOptions.CheckKappaUsed(parse, kappa, sphere);
            if (sphere && parse.GetResult(temperature) is { Implicit: false })
            {
                throw new CliUsageException("--temperature applies to the discrete support only (its softmax); the sphere support normalizes rows.");
            }

            if (!float.IsFinite((float)(1.0 / parse.GetValue(temperature))))
            {
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"--temperature must be at least about 2.9e-39 (the softmax scales by 1/t in float32), got {CommonOptions.Format(parse.GetValue(temperature))}."));
            }

            string method = parse.GetValue(estimator)!;
            if (!sphere && method == "joe-loo")
            {
                throw new CliUsageException("--estimator joe-loo is a sphere estimator; the discrete entropy takes plugin (expectation) or joe (average).");
            }

            if (paths.Count(p => p == "-") > 1)
            {
                throw new CliUsageException("standard input (-) can be read once: give the other views as files.");
            }

            int viewCount = paths.Length;
            int globals = parse.GetValue(global) ?? viewCount;
            if (globals < 1 || globals > viewCount)
            {
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"--global must lie in [1, {viewCount}] (the number of views), got {globals}."));
            }

            string? prefix = parse.GetValue(gradPrefix);
            var outputs = new OutputFiles(paths);
            string[] gradPaths = prefix is null ? [] : Enumerable.Range(1, viewCount).Select(v => string.Create(CultureInfo.InvariantCulture, $"{prefix}{v}.npy")).ToArray();
            for (int v = 0; v < gradPaths.Length; v++)
            {
                outputs.Plan($"--grad-prefix (view {v + 1})", gradPaths[v]);
            }

            using Progress progress = Progress.Start("reading the views", parse.GetValue(json));
            (float[] stacked, int rows, int columns) = ReadViews(paths);
            progress.Step(string.Create(CultureInfo.InvariantCulture, $"the loss and its gradients over {viewCount} views of {rows} x {columns} rows"));
            var loss = CommonOptions.InCliWords(
                () => new ErLoss(sphere ? Support.Sphere : Support.Discrete, rows, columns, viewCount)
                {
                    Kappa = parse.GetValue(kappa),
                    Temperature = parse.GetValue(temperature),
                    ReconstructionWeight = parse.GetValue(reconstructionWeight),
                    EntropyWeight = parse.GetValue(entropyWeight),
                    GlobalViews = globals,
                    EntropyOf = parse.GetValue(entropyOf) == "global" ? EntropyView.Global : EntropyView.Mean,
                    Reduction = EntropyOptions.ReductionOf(method),
                    Normalizer = CommonOptions.ParseNormalizer(parse.GetValue(normalizer)!),
                },
                ("rows", paths[0]));
            var gradients = new float[stacked.Length];
            ErLossResult result = CommonOptions.InCliWords(() => loss.Compute(stacked, gradients), ("views", paths[0]));
            if (prefix is not null)
            {
                int block = rows * columns;
                string dataType = parse.GetValue(gradType)!;
                for (int v = 0; v < viewCount; v++)
                {
                    float[] own = gradients.AsSpan(v * block, block).ToArray();
                    outputs.Set($"--grad-prefix (view {v + 1})", GradientOutput.Npy(own, rows, columns, dataType));
                }

                outputs.Commit();
            }

            progress.Dispose();
            TextWriter report = outputs.WritesStandardOutput ? CliStreams.Notes : stdout;
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(report, ("loss", result.Loss), ("entropy", result.Entropy), ("reconstruction", result.Reconstruction), ("grad_kappa", result.KappaGradient));
            }
            else
            {
                string settings = sphere
                    ? $"sphere, {method}, {parse.GetValue(normalizer)} normalizer, kappa {CommonOptions.Format(parse.GetValue(kappa))}"
                    : $"discrete, {method}, temperature {CommonOptions.Format(parse.GetValue(temperature))}";
                report.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss = {CommonOptions.Format(result.Loss)} nats (reconstruction {CommonOptions.Format(result.Reconstruction)}, entropy {CommonOptions.Format(result.Entropy)}, dLoss/dkappa {CommonOptions.Format(result.KappaGradient)}; {settings}; {viewCount} views, {globals} global; k = {rows}, d = {columns})"));
            }

            return Cli.Success;
        });
        return command;
    }

    /// <summary>Reads every view (same shape, finite values), stacked view after view.</summary>
    private static (float[] Stacked, int Rows, int Columns) ReadViews(string[] paths)
    {
        (float[] first, int rows, int columns) = CommonOptions.ReadMatrix(paths[0]);
        if ((long)paths.Length * first.Length > Array.MaxLength)
        {
            throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"{paths.Length} views of {rows} x {columns} are more than one array of this program can hold ({Array.MaxLength} elements)."));
        }

        var stacked = new float[paths.Length * first.Length];
        for (int v = 0; v < paths.Length; v++)
        {
            (float[] data, int r, int c) = v == 0 ? (first, rows, columns) : CommonOptions.ReadMatrix(paths[v]);
            if (r != rows || c != columns)
            {
                throw new CliInputException($"{CommonOptions.DisplayName(paths[v])} is {r} x {c} but {CommonOptions.DisplayName(paths[0])} is {rows} x {columns}; every view must have the same shape.");
            }

            int bad = Array.FindIndex(data, x => !float.IsFinite(x));
            if (bad >= 0)
            {
                throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"{CommonOptions.DisplayName(paths[v])}: row {bad / c}, column {bad % c} holds {data[bad]}; the views must be finite."));
            }

            data.CopyTo(stacked, v * data.Length);
        }

        return (stacked, rows, columns);
    }

    private static Option<double> FiniteDouble(string name, string helpName, string description) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => 1.0,
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || Math.Abs(value) > float.MaxValue)
                {
                    result.AddError($"{name} expects a finite number within float32's range (the gradients are float32), got '{text}'.");
                    return 1.0;
                }

                return value;
            },
        };
}
