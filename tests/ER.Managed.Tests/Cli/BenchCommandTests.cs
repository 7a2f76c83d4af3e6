using System.Globalization;
using System.Text.Json;
using ER.Managed.Cli.Commands;

namespace ER.Managed.Tests.Cli;

/// <summary><c>er bench</c>: the sizes it takes and refuses, and the figures it derives from its timings.</summary>
public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("K and D must be at least 1 and the matrices must fit in memory (got K = 50000, D = 50000)", "entropy_sphere", "50000", "50000")]
    [InlineData("K and D must be at least 1 and the matrices must fit in memory (got K = 50000, D = 1)", "gram", "50000", "1")]
    [InlineData("--views must be at least 2 and V x K x D fit in memory (got V = 1)", "loss", "10", "10", "--views", "1")]
    [InlineData("--views must be at least 2 and V x K x D fit in memory (got V = 5)", "loss", "50000", "10000", "--views", "5")]
    [InlineData("--views is for CASE loss.", "gram", "10", "10", "--views", "3")]
    public void Sizes_no_array_holds_are_usage_errors_with_the_sizes(string expected, params string[] args)
    {
        // 50000 x 50000 is past one array (2^31 - 1 elements); the Gram's k x k as well at k = 50000.
        (int code, string stdout, string stderr) = CliRunner.Run(["bench", .. args]);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("er: " + expected, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gram", "1", "1")]
    [InlineData("entropy_sphere", "1", "1")]
    [InlineData("loss", "2", "1", "--views", "2")]
    [InlineData("lognorm", "100", "50000")]
    public void The_smallest_sizes_run_and_lognorm_takes_any_dimension(string benchCase, params string[] args)
    {
        // lognorm's D is the vMF's dimension, not a matrix's: K x D need not fit in an array.
        (int code, string stdout, string stderr) = CliRunner.Run(["bench", benchCase, .. args, "--reps", "1", "--json"]);
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal(benchCase, json.RootElement.GetProperty("case").GetString());
    }

    [Fact]
    public void Gram_reports_its_GFLOP_rate_from_its_flops_and_time_and_the_peak_RSS_in_MiB()
    {
        // 512 x 128 takes from about 0.2 ms (Zen 5) to a few ms: forward_ms printed to 3 decimals is off
        // by at most 0.0005 ms (0.25% at 0.2 ms) and gflops printed to 1 by 0.05; the tolerance allows 1% + 0.05.
        (int code, string stdout, string stderr) = CliRunner.Run("bench", "gram", "512", "128", "--reps", "2", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        double forwardMs = json.RootElement.GetProperty("forward_ms").GetDouble();
        double gflops = json.RootElement.GetProperty("gflops").GetDouble();
        double expected = BenchCommand.GramFlops(512, 128) / (forwardMs * 1e6);
        Assert.Equal(expected, gflops, (0.01 * expected) + 0.05);

        // This test process's own peak working set: tens to thousands of MiB, never bytes or TiB.
        Assert.InRange(json.RootElement.GetProperty("peak_rss_mib").GetDouble(), 10, 64 * 1024);
        Assert.StartsWith("er.managed-", json.RootElement.GetProperty("peer").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("?", json.RootElement.GetProperty("peer").GetString(), StringComparison.Ordinal);

        (code, stdout, _) = CliRunner.Run("bench", "entropy_sphere", "64", "8", "--reps", "1", "--json");
        Assert.Equal(0, code);
        using JsonDocument other = JsonDocument.Parse(stdout);
        Assert.False(other.RootElement.TryGetProperty("gflops", out JsonElement none) && none.ValueKind != JsonValueKind.Null);
    }
}
