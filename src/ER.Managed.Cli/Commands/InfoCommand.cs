using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using ER.Managed.Diagnostics;
using X86 = System.Runtime.Intrinsics.X86;

namespace ER.Managed.Cli.Commands;

/// <summary>
/// <c>er info [--json]</c>: the runtime (JIT or NativeAOT), the vector widths the kernels selected,
/// the instruction sets available, the degree of parallelism and the library version, so that a
/// user can see which path a build really runs (a NativeAOT build without IlcInstructionSet runs
/// the 128-bit path).
/// </summary>
internal static class InfoCommand
{
    internal static Command Create(TextWriter stdout)
    {
        Option<bool> json = JsonKeys.Option(JsonKeys.Info);
        var command = new Command("info", "Runtime, selected SIMD paths, instruction sets, threads and version.") { json };
        command.SetAction(parse =>
        {
            Info info = Collect();
            if (parse.GetValue(json))
            {
                WriteJson(stdout, info);
            }
            else
            {
                stdout.WriteLine($"ER.Managed {info.Version}");
                stdout.WriteLine($"runtime:               {info.Runtime} ({RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture})");
                KernelReport k = info.Kernels;
                stdout.WriteLine($"kernel width:          {k.KernelWidth} ({k.KernelBits} bits)");
                stdout.WriteLine(k.Mr > 0
                    ? $"GEMM micro-kernel:     {k.GemmKernel} (MR {k.Mr}, NR {k.Nr}; KC {k.Kc}, MC {k.Mc}, NC {k.Nc})"
                    : $"GEMM micro-kernel:     none ({k.GemmKernel} path)");
                stdout.WriteLine($"caches (per core):     L1D {Kib(k.L1DataBytes)}, L2 {Kib(k.L2Bytes)}, L3 {Kib(k.L3Bytes)} (from {k.CacheSource})");
                stdout.WriteLine($"vector accelerated:    Vector128 {info.Vector128}, Vector256 {info.Vector256}, Vector512 {info.Vector512}");
                stdout.WriteLine($"instruction sets:      {string.Join(' ', info.InstructionSets)}");
                stdout.WriteLine($"degree of parallelism: {info.DegreeOfParallelism} (processors: {Environment.ProcessorCount})");
            }

            return Cli.Success;
        });
        return command;
    }

    internal sealed record Info(
        string Version,
        string Runtime,
        KernelReport Kernels,
        bool Vector128,
        bool Vector256,
        bool Vector512,
        string[] InstructionSets,
        int DegreeOfParallelism);

    internal static Info Collect() =>
        new(
            Version(),
            RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "NativeAOT",
            KernelDiagnostics.Current,
            System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated,
            System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated,
            System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
            InstructionSets(),
            ErOptions.Default.EffectiveDegreeOfParallelism);

    internal static string Kib(long bytes) => bytes == 0 ? "none" : $"{bytes / 1024} KiB";

    internal static string Version() =>
        typeof(Entropy).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    internal static string[] InstructionSets()
    {
        var sets = new System.Collections.Generic.List<string>();
        void Add(bool supported, string name)
        {
            if (supported)
            {
                sets.Add(name);
            }
        }

        Add(X86.Sse2.IsSupported, "SSE2");
        Add(X86.Sse41.IsSupported, "SSE4.1");
        Add(X86.Sse42.IsSupported, "SSE4.2");
        Add(X86.Avx.IsSupported, "AVX");
        Add(X86.Avx2.IsSupported, "AVX2");
        Add(X86.Fma.IsSupported, "FMA");
        Add(X86.Avx512F.IsSupported, "AVX512F");
        Add(X86.Avx512BW.IsSupported, "AVX512BW");
        Add(X86.Avx512DQ.IsSupported, "AVX512DQ");
        Add(X86.Avx512Vbmi.IsSupported, "AVX512VBMI");
        Add(System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported, "AdvSimd");
        if (sets.Count == 0)
        {
            sets.Add("none");
        }

        return sets.ToArray();
    }

    private static void WriteJson(TextWriter output, Info info)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("version", info.Version);
            writer.WriteString("runtime", info.Runtime);
            writer.WriteString("framework", RuntimeInformation.FrameworkDescription);
            KernelReport k = info.Kernels;
            writer.WriteString("kernel_width", k.KernelWidth);
            writer.WriteNumber("kernel_bits", k.KernelBits);
            writer.WriteString("gemm_kernel", k.GemmKernel);
            writer.WriteNumber("mr", k.Mr);
            writer.WriteNumber("nr", k.Nr);
            writer.WriteNumber("kc", k.Kc);
            writer.WriteNumber("mc", k.Mc);
            writer.WriteNumber("nc", k.Nc);
            writer.WriteNumber("l1d_bytes", k.L1DataBytes);
            writer.WriteNumber("l2_bytes", k.L2Bytes);
            writer.WriteNumber("l3_bytes", k.L3Bytes);
            writer.WriteString("cache_source", k.CacheSource);
            writer.WriteBoolean("vector128", info.Vector128);
            writer.WriteBoolean("vector256", info.Vector256);
            writer.WriteBoolean("vector512", info.Vector512);
            writer.WriteStartArray("instruction_sets");
            foreach (string set in info.InstructionSets)
            {
                writer.WriteStringValue(set);
            }

            writer.WriteEndArray();
            writer.WriteNumber("degree_of_parallelism", info.DegreeOfParallelism);
            writer.WriteNumber("processors", Environment.ProcessorCount);
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
