using System;
using System.Text.Json;
using ER.Managed.Kernels;
using Xunit;

namespace ER.Managed.Tests.Cli;

public class InfoCommandTests
{
    [Fact]
    public void Info_reports_the_runtime_the_selected_width_and_the_version()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("info", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement root = json.RootElement;
        Assert.Equal("JIT", root.GetProperty("runtime").GetString());
        Assert.Equal(KernelIsa.Best.ToString(), root.GetProperty("kernel_width").GetString());
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, root.GetProperty("vector512").GetBoolean());
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("degree_of_parallelism").GetInt32());
        Assert.Equal(typeof(Entropy).Assembly.GetName().Version!.ToString(3), root.GetProperty("version").GetString());
        Assert.NotEqual(0, root.GetProperty("instruction_sets").GetArrayLength());

        (code, stdout, _) = CliRunner.Run("info");
        Assert.Equal(0, code);
        Assert.Contains("kernel width:", stdout, StringComparison.Ordinal);
    }
}
