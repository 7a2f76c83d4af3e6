using System.CommandLine;
using System.Globalization;
using System.IO;

namespace ER.Managed.Cli.Commands;

/// <summary><c>er lognorm --dim D --kappa K [--json]</c>: the vMF log-normalizer and friends.</summary>
internal static class LogNormCommand
{
    internal static Command Create(TextWriter stdout)
    {
        Option<int> dimension = CommonOptions.PositiveInt("--dim", "Ambient dimension d (>= 1).", required: true);
        Option<double> kappa = CommonOptions.PositiveDouble("--kappa", Entropy.DefaultKappa, "vMF concentration kappa (> 0).");
        Option<bool> json = CommonOptions.Json();
        var command = new Command("lognorm", "log I_nu(kappa), log C_d(kappa), the Bessel ratio A_d(kappa) and the vMF entropy, in double.") { dimension, kappa, json };
        command.SetAction(parse =>
        {
            int d = parse.GetValue(dimension);
            double k = parse.GetValue(kappa);
            double logBessel = VonMisesFisher.LogBesselI((0.5 * d) - 1.0, k);
            double logNormalizer = VonMisesFisher.LogNormalizer(d, k);
            double ratio = VonMisesFisher.BesselRatio(d, k);
            double entropy = VonMisesFisher.Entropy(d, k);
            if (parse.GetValue(json))
            {
                CommonOptions.WriteJson(
                    stdout,
                    ("log_bessel_i", logBessel),
                    ("log_normalizer", logNormalizer),
                    ("bessel_ratio", ratio),
                    ("vmf_entropy", entropy));
            }
            else
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"d = {d}, kappa = {CommonOptions.Format(k)}, nu = {CommonOptions.Format((0.5 * d) - 1.0)}"));
                stdout.WriteLine($"log I_nu(kappa)  = {CommonOptions.Format(logBessel)}");
                stdout.WriteLine($"log C_d(kappa)   = {CommonOptions.Format(logNormalizer)}");
                stdout.WriteLine($"A_d(kappa)       = {CommonOptions.Format(ratio)}");
                stdout.WriteLine($"vMF entropy      = {CommonOptions.Format(entropy)} nats");
            }

            return Cli.Success;
        });
        return command;
    }
}
