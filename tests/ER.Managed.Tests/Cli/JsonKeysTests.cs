using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using ER.Managed.Cli.Commands;
using ER.Managed.Estimation;
using ER.Managed.Npy;

namespace ER.Managed.Tests.Cli;

/// <summary>
/// Every <c>--json</c> object the command line prints has exactly the documented keys: the
/// catalogue in <see cref="JsonKeys"/>, which the help prints and docs/cli.md repeats in a table per
/// command. Each command runs with options that bring out its conditional keys.
/// </summary>
public sealed partial class JsonKeysTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-json-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string SphereRows(string name, int seed)
    {
        const int k = 24, d = 5;
        var rows = new float[k * d];
        new SeededRandom((ulong)seed).FillNormal(rows);
        RowOps.L2Normalize(rows, k, d, rows);
        string path = PathOf(name);
        NpyFile.Write(path, rows, [k, d]);
        return path;
    }

    private string DiscreteRows(string name)
    {
        const int k = 6, d = 3;
        var rows = new float[k * d];
        for (int i = 0; i < k; i++)
        {
            rows[(i * d) + (i % d)] = 0.5f;
            rows[(i * d) + ((i + 1) % d)] = 0.5f;
        }

        string path = PathOf(name);
        NpyFile.Write(path, rows, [k, d]);
        return path;
    }

    /// <summary>Each documented command with the runs that, together, print every key it documents.</summary>
    private IEnumerable<(string Command, string[] Arguments)> Runs()
    {
        string a = SphereRows("a.npy", 1), b = SphereRows("b.npy", 2), p = DiscreteRows("p.npy");
        NpyFile.Write(PathOf("kappas.npy"), new double[] { 0, 1, 10 }, [3]);
        yield return ("entropy", ["entropy", a, "--json"]);
        yield return ("entropy", ["entropy", a, "--json", "--grad", PathOf("g.npy")]);
        yield return ("entropy", ["entropy", p, "--support", "discrete", "--json", "--grad", PathOf("g.npy")]);
        yield return ("entropy", ["entropy", a, "--estimator", "knn", "--json"]);
        yield return ("reconstruction", ["reconstruction", a, b, "--json"]);
        yield return ("reconstruction", ["reconstruction", a, b, "--json", "--grad-a", PathOf("ga.npy")]);
        yield return ("loss", ["loss", a, b, "--json"]);
        yield return ("loss", ["loss", p, p, "--support", "discrete", "--json"]);
        yield return ("lognorm", ["lognorm", "--dim", "3", "--kappa", "2", "--json"]);
        yield return ("lognorm", ["lognorm", "--dim", "3", "--kappa", "0", "--json"]);
        yield return ("lognorm --kappa-file", ["lognorm", "--dim", "3", "--kappa-file", PathOf("kappas.npy"), "--out", PathOf("table.npy"), "--json"]);
        yield return ("kappa", ["kappa", a, "--json"]);
        yield return ("kappa", ["kappa", a, "--method", "rule-of-thumb", "--json"]);
        foreach (string benchCase in new[] { "gram", "entropy_sphere", "lognorm", "loss", "entropy_knn" })
        {
            yield return ("bench", ["bench", benchCase, "32", "8", "--reps", "1", "--json"]);
        }

        yield return ("info", ["info", "--json"]);
    }

    [Fact]
    public void Every_json_object_has_the_documented_keys_in_order_and_each_documented_key_appears()
    {
        var seen = JsonKeys.All.ToDictionary(c => c.Command, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach ((string command, string[] arguments) in Runs())
        {
            (int code, string stdout, string stderr) = CliRunner.Run(arguments);
            Assert.True(code == 0, $"er {string.Join(' ', arguments)}: {stderr}");
            JsonKey[] documented = JsonKeys.All.Single(c => c.Command == command).Keys;
            using JsonDocument json = JsonDocument.Parse(stdout);
            string[] printed = [.. json.RootElement.EnumerateObject().Select(p => p.Name)];

            // In the documented order, nothing undocumented, and every unconditional key present.
            string[] expectedOrder = [.. documented.Select(k => k.Name).Where(printed.Contains)];
            Assert.True(expectedOrder.SequenceEqual(printed), $"er {string.Join(' ', arguments)} printed [{string.Join(", ", printed)}]; documented: [{string.Join(", ", documented.Select(k => k.Name))}]");
            foreach (JsonKey key in documented.Where(k => k.When is null))
            {
                Assert.Contains(key.Name, printed);
            }

            seen[command].UnionWith(printed);
        }

        foreach ((string command, JsonKey[] keys) in JsonKeys.All)
        {
            Assert.Equal(keys.Select(k => k.Name).Order(StringComparer.Ordinal), seen[command].Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Each_commands_help_names_its_json_keys()
    {
        foreach ((string command, JsonKey[] keys) in JsonKeys.All)
        {
            string name = command.Split(' ')[0];
            string help = CliRunner.Run("help", name).Stdout;
            string flattened = Regex.Replace(help, @"\s+", " ");
            foreach (JsonKey key in keys)
            {
                // A key printed only sometimes says when, in parentheses after its name.
                Assert.Contains(key.When is null ? key.Name : $"{key.Name} ({key.When})", flattened, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Docs_cli_md_has_a_table_of_each_commands_json_keys_matching_the_catalogue()
    {
        string text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "cli.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        foreach ((string command, JsonKey[] keys) in JsonKeys.All)
        {
            string heading = $"#### `er {command} --json`";
            int start = text.IndexOf(heading + "\n", StringComparison.Ordinal);
            Assert.True(start >= 0, $"docs/cli.md has no section '{heading}'");
            int end = text.IndexOf("\n#", start + heading.Length, StringComparison.Ordinal);
            string section = end < 0 ? text[start..] : text[start..end];
            string[] tableKeys = [.. TableKey().Matches(section).Select(m => m.Groups[1].Value)];
            Assert.Equal(keys.Select(k => k.Name), tableKeys);
        }
    }

    [GeneratedRegex(@"^\| `([a-z0-9_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableKey();
}
