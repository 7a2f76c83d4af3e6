using System.Text.Json;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;

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

        // The GEMM kernel and its blocking, as the registry states them, and the caches they came from.
        if (MicroKernels.For(KernelIsa.Best) is MicroKernelId id)
        {
            MicroKernelInfo kernel = MicroKernels.Describe(id);
            Assert.Equal(kernel.Name, root.GetProperty("gemm_kernel").GetString());
            Assert.Equal(kernel.Rows, root.GetProperty("mr").GetInt32());
            Assert.Equal(kernel.Columns, root.GetProperty("nr").GetInt32());
            Assert.Equal(kernel.Blocking.KC, root.GetProperty("kc").GetInt32());
            Assert.Equal(kernel.Blocking.MC, root.GetProperty("mc").GetInt32());
            Assert.Equal(kernel.Blocking.NC, root.GetProperty("nc").GetInt32());
        }
        else
        {
            // The scalar width (all intrinsics off) has no micro-kernel.
            Assert.Equal(KernelWidth.Scalar, KernelIsa.Best);
            Assert.Equal("dot-product", root.GetProperty("gemm_kernel").GetString());
            Assert.Equal(0, root.GetProperty("mr").GetInt32());
        }

        Assert.Equal(CacheSizes.Current.L1Data, root.GetProperty("l1d_bytes").GetInt64());
        Assert.Equal(CacheSizes.Current.L2, root.GetProperty("l2_bytes").GetInt64());
        Assert.Equal(CacheSizes.Current.L3, root.GetProperty("l3_bytes").GetInt64());

        (code, stdout, _) = CliRunner.Run("info");
        Assert.Equal(0, code);
        Assert.Contains("kernel width:", stdout, StringComparison.Ordinal);
    }
}
