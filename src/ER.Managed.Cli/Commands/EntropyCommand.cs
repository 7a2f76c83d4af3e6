using System.CommandLine;
using System.IO;

namespace ER.Managed.Cli.Commands;

/// <summary><c>er entropy Z.npy [--support] [--reduction] [--kappa] [--normalizer] [--json]</c>.</summary>
internal static class EntropyCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("Z.npy") { Description = "Embeddings, a k x d float32 or float64 .npy; unit rows (sphere) or probability rows (discrete)." };
        Option<string> support = CommonOptions.Support();
        Option<string> reduction = CommonOptions.Choice("--reduction", "expectation (plug-in) or average (Joe's / cross-entropy from uniform).", "expectation", "average");
        Option<double> kappa = CommonOptions.Kappa();
        Option<string> normalizer = CommonOptions.Normalizer();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("entropy", "Entropy H of a batch, in nats.") { input, support, reduction, kappa, normalizer, json };
        command.SetAction(parse =>
        {
            (float[] z, int rows, int columns) = CommonOptions.ReadMatrix(parse.GetValue(input)!);
            bool sphere = parse.GetValue(support) == "sphere";
            EntropyReduction r = parse.GetValue(reduction) == "average" ? EntropyReduction.Average : EntropyReduction.Expectation;
            NormalizerMode mode = CommonOptions.ParseNormalizer(parse.GetValue(normalizer)!);
            double k = parse.GetValue(kappa);
            double value = sphere
                ? Entropy.Sphere(z, rows, columns, k, r, mode)
                : Entropy.Discrete(z, rows, columns, r);
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(stdout, ("value", value));
            }
            else
            {
                string settings = sphere
                    ? $"sphere, {parse.GetValue(reduction)}, {parse.GetValue(normalizer)} normalizer, kappa {CommonOptions.Format(k)}"
                    : $"discrete, {parse.GetValue(reduction)}";
                stdout.WriteLine($"entropy = {CommonOptions.Format(value)} nats ({settings}; k = {rows}, d = {columns})");
            }

            return Cli.Success;
        });
        return command;
    }
}
