using System;
using System.CommandLine;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using ER.Managed.Kernels;
using ER.Managed.Kernels.Gemm;
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
        Option<bool> json = CommonOptions.Json();
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
                stdout.WriteLine($"kernel width:          {info.KernelWidth} ({info.KernelBits} bits)");
                stdout.WriteLine($"GEMM micro-kernel:     {info.GemmKernel}");
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
        string KernelWidth,
        int KernelBits,
        string GemmKernel,
        bool Vector128,
        bool Vector256,
        bool Vector512,
        string[] InstructionSets,
        int DegreeOfParallelism);

    internal static Info Collect()
    {
        KernelWidth width = KernelIsa.Best;
        string gemm = width switch
        {
            Kernels.KernelWidth.V512 => $"AVX-512 {MicroKernel512.MR}x{MicroKernel512.NR}",
            Kernels.KernelWidth.V256 => $"AVX2 {MicroKernel256.MR}x{MicroKernel256.NR}",
            _ => "simple dot-product path",
        };
        return new Info(
            Version(),
            RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "NativeAOT",
            width.ToString(),
            width == Kernels.KernelWidth.Scalar ? 32 : (int)width,
            gemm,
            System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated,
            System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated,
            System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
            InstructionSets(),
            ErOptions.Default.EffectiveDegreeOfParallelism);
    }

    internal static string Version() =>
        typeof(Entropy).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private static string[] InstructionSets()
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
            writer.WriteString("kernel_width", info.KernelWidth);
            writer.WriteNumber("kernel_bits", info.KernelBits);
            writer.WriteString("gemm_kernel", info.GemmKernel);
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
