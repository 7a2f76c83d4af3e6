using System.Linq;
using System.Text.Json;
using ER.Managed.Cli.Commands;
using ER.Managed.Diagnostics;
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

    [Fact]
    public void Info_text_gives_the_kernel_its_blocking_and_the_caches_in_KiB()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("info");
        Assert.True(code == 0, stderr);
        string[] lines = stdout.TrimEnd().Split('\n');
        string Line(string label) => Assert.Single(lines, l => l.StartsWith(label, StringComparison.Ordinal))[label.Length..].Trim();

        Assert.Equal($"ER.Managed {InfoCommand.Version()}", lines[0]);
        KernelReport k = KernelDiagnostics.Current;
        Assert.Equal($"{k.KernelWidth} ({k.KernelBits} bits)", Line("kernel width:"));
        if (MicroKernels.For(KernelIsa.Best) is MicroKernelId id)
        {
            MicroKernelInfo kernel = MicroKernels.Describe(id);
            Assert.Equal($"{kernel.Name} (MR {kernel.Rows}, NR {kernel.Columns}; KC {kernel.Blocking.KC}, MC {kernel.Blocking.MC}, NC {kernel.Blocking.NC})", Line("GEMM micro-kernel:"));
        }
        else
        {
            Assert.Equal("none (dot-product path)", Line("GEMM micro-kernel:"));
        }

        CacheSizes caches = CacheSizes.Current;
        Assert.StartsWith($"L1D {InfoCommand.Kib(caches.L1Data)}, L2 {InfoCommand.Kib(caches.L2)}, L3 {InfoCommand.Kib(caches.L3)} (from ", Line("caches (per core):"));
        Assert.Equal(string.Join(' ', InfoCommand.InstructionSets()), Line("instruction sets:"));
    }

    [Theory]
    [InlineData(0, "none")]
    [InlineData(1024, "1 KiB")]
    [InlineData(32 * 1024, "32 KiB")]
    [InlineData(512 * 1024, "512 KiB")]
    [InlineData(32L * 1024 * 1024 * 1024, "33554432 KiB")]
    public void Cache_sizes_print_in_whole_KiB_and_an_absent_level_as_none(long bytes, string expected) =>
        Assert.Equal(expected, InfoCommand.Kib(bytes));

    [Fact]
    public void Instruction_sets_name_what_the_runtime_supports_or_none()
    {
        // Each name stands exactly when the runtime reports that set; with every intrinsic switched
        // off (a CI run) the list is the single word "none", never empty.
        string[] sets = InfoCommand.InstructionSets();
        Assert.Equal(System.Runtime.Intrinsics.X86.Sse2.IsSupported, sets.Contains("SSE2"));
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx2.IsSupported, sets.Contains("AVX2"));
        Assert.Equal(System.Runtime.Intrinsics.X86.Fma.IsSupported, sets.Contains("FMA"));
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, sets.Contains("AVX512F"));
        Assert.Equal(System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported, sets.Contains("AdvSimd"));
        bool any = System.Runtime.Intrinsics.X86.Sse2.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
        Assert.Equal(any ? [] : ["none"], sets.Where(s => s == "none").ToArray());
        Assert.NotEmpty(sets);
        Assert.Equal(sets.Length, sets.Distinct().Count());
    }
}
