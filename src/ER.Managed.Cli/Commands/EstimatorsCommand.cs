using System.Collections.Generic;
using System.Linq;
using System.Text;
using ER.Managed.Cli.Files;
using ER.Managed.Cli.Study;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er estimators --data uniform,vmf:10 --dims 3,16,128 --batch 64,256,1024,4096 --kappa 10 --reps 20 --seed 1 --out results/</c>:
/// compares the kernel estimators (plugin, joe, joe-loo), the kNN estimator (knn-1, knn-4) and Joe's at a cross-validated kappa (joe-cv) against the true entropy of
/// the data distribution, writing results.csv, summary.md and one SVG plot per data distribution
/// and kernel kappa; progress goes to stderr.
/// </summary>
internal static class EstimatorsCommand
{
    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var data = new Option<string>("--data") { Description = "Comma-separated data distributions: uniform, vmf:KAPPA0, mixture:COMPONENTS:KAPPA0 (KAPPA0 >= 0, 0 being uniform).", DefaultValueFactory = _ => "uniform,vmf:10", HelpName = "LIST" };
        var dims = new Option<string>("--dims") { Description = "Comma-separated dimensions d.", DefaultValueFactory = _ => "3,16,128", HelpName = "LIST" };
        var batch = new Option<string>("--batch") { Description = "Comma-separated batch sizes k.", DefaultValueFactory = _ => "64,256,1024,4096", HelpName = "LIST" };
        var kappa = new Option<string>("--kappa") { Description = "Comma-separated kernel concentrations, each 0 (the uniform limit) or up to 1e10.", DefaultValueFactory = _ => "10", HelpName = "LIST" };
        Option<int> reps = CommonOptions.PositiveInt("--reps", "Repetitions per configuration.", defaultValue: 20);
        var seed = CommonOptions.Seed("Seed of all samples; the results are deterministic for a seed.", 1UL);
        var output = new Option<string>("--out") { Description = "Output folder (created if missing).", DefaultValueFactory = _ => "estimators-results", HelpName = "DIR" };
        var bounds = new Option<bool>("--bounds") { Description = "Also compute the Kolchinsky-Tracey bounds of each batch's kernel mixture (costs about as much as the estimators)." };
        var command = new Command("estimators", "Compare entropy estimators (plugin, joe, joe-loo: Joe's leave-one-out, knn-1, knn-4, joe-cv and joe-loo-cv: Joe's and Joe's leave-one-out at the kappa the leave-one-out likelihood selects) on samples with known entropy; writes CSV, Markdown and SVG plots of bias and RMSE.") { data, dims, batch, kappa, reps, seed, output, bounds };
        command.SetAction(parse =>
        {
            StudySpec spec;
            try
            {
                spec = new StudySpec(
                    StudySpec.ParseList(parse.GetValue(data)!, DataSpec.Parse, "--data"),
                    StudySpec.ParseList(parse.GetValue(dims)!, StudySpec.PositiveInt, "--dims"),
                    StudySpec.ParseList(parse.GetValue(batch)!, StudySpec.PositiveInt, "--batch"),
                    StudySpec.ParseList(parse.GetValue(kappa)!, StudySpec.KernelKappa, "--kappa"),
                    parse.GetValue(reps),
                    parse.GetValue(seed),
                    parse.GetValue(bounds));
                spec.CheckSizes();
            }
            catch (FormatException e)
            {
                stderr.WriteLine($"er: {e.Message}");
                return Cli.UsageError;
            }

            string folder = parse.GetValue(output)!;
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new CliInputException($"{folder}: cannot create the output folder ({e.Message.TrimEnd('.')}).");
            }

            // Every file is planned before the study runs (a folder or a link loop where one should go
            // fails at once) and written all or nothing after it, through the same staging as every
            // other command's outputs: hidden unique temporaries beside their targets, renamed at the end.
            var outputs = new OutputFiles();
            var names = new List<string> { "results.csv", "summary.md" };
            foreach (string name in spec.Data.Select(d => FileStem(d.Name)).Distinct())
            {
                names.Add($"bias_{name}.svg");
                names.Add($"rmse_{name}.svg");
            }

            foreach (string name in names)
            {
                outputs.Plan(name, Path.Combine(folder, name));
            }

            List<StudyRow> rows = StudyRunner.Run(spec, stderr);
            string commandLine = "er estimators " + string.Join(' ', CommandLine(parse.Tokens.Select(t => t.Value)));
            outputs.Set("results.csv", Text(StudyReport.Csv(rows)));
            outputs.Set("summary.md", Text(StudyReport.Markdown(rows, commandLine)));
            foreach (var group in rows.GroupBy(r => r.Data))
            {
                string name = FileStem(group.Key);
                outputs.Set($"bias_{name}.svg", Text(StudyReport.Svg(group.ToList(), $"Entropy estimator bias: {group.Key}", rmse: false)));
                outputs.Set($"rmse_{name}.svg", Text(StudyReport.Svg(group.ToList(), $"Entropy estimator RMSE: {group.Key}", rmse: true)));
            }

            outputs.Commit();
            foreach (string name in names)
            {
                stdout.WriteLine(Path.Combine(folder, name));
            }

            return Cli.Success;
        });
        return command;
    }

    private static IEnumerable<string> CommandLine(IEnumerable<string> tokens) => tokens.Skip(1);

    /// <summary>A data distribution's name as part of a file name (<c>vmf:10</c> gives <c>vmf-10</c>).</summary>
    private static string FileStem(string dataName) => dataName.Replace(':', '-');

    private static Action<Stream> Text(string text) => stream => stream.Write(new UTF8Encoding(false).GetBytes(text));
}
