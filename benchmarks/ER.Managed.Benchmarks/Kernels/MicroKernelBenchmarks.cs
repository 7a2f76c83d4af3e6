using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using ER.Managed.Kernels.Gemm;

namespace ER.Managed.Benchmarks.Kernels;

/// <summary>The GEMM micro-kernels this CPU runs, by kernel shape (avx512-6x64, avx2-6x16, vector128-6x8).</summary>
public enum MicroKernelChoice
{
    /// <summary>6 x 64, AVX-512.</summary>
    Avx512 = MicroKernelId.Avx512,

    /// <summary>6 x 16, AVX2.</summary>
    Avx2 = MicroKernelId.Avx2,

    /// <summary>6 x 8, Vector128.</summary>
    Vector128 = MicroKernelId.Vector128,

    /// <summary>12 x 8, ARM64 AdvSimd (ARM64 only).</summary>
    AdvSimd = MicroKernelId.AdvSimd,
}

/// <summary>
/// Each micro-kernel shape on its own and inside its blocking: one MR x NR tile from operands that
/// sit in L1 (the kernel's FMA throughput: compare with <c>er bench fma_peak</c> on one thread), and
/// a 256 x 1024 block of C over depth 1024 from operands packed once (the macro-kernel and the
/// kernel's KC/MC from the cache rule: what the Gram and the entropy's tiles run, packing excluded).
/// One thread. The shapes a CPU cannot run (AdvSimd on x86) are left out.
/// </summary>
[MemoryDiagnoser]
public class MicroKernelBenchmarks
{
    private const int Depth = 1024, Rows = 256, Columns = 1024, InL1Depth = 64;
    private float[] _a = [];
    private float[] _b = [];
    private float[] _tile = [];
    private float[] _c = [];
    private PackedOperand? _packedA;
    private PackedOperand? _packedB;

    [ParamsSource(nameof(Kernels))]
    public MicroKernelChoice Kernel { get; set; }

    public static IEnumerable<MicroKernelChoice> Kernels()
    {
        var runnable = new List<MicroKernelChoice>();
        foreach (MicroKernelId id in MicroKernels.All)
        {
            if (MicroKernels.Describe(id).CanRun)
            {
                runnable.Add((MicroKernelChoice)id);
            }
        }

        return runnable;
    }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        float[] z = new float[Math.Max(Rows, Columns) * Depth];
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = random.NextSingle() - 0.5f;
        }

        var id = (MicroKernelId)Kernel;
        MicroKernelInfo info = MicroKernels.Describe(id);
        _a = z.AsSpan(0, info.Rows * InL1Depth).ToArray();
        _b = z.AsSpan(0, info.Columns * InL1Depth).ToArray();
        _tile = new float[info.Rows * info.Columns];
        _packedA = GemmKernel.PackA(z.AsSpan(0, Rows * Depth), Depth, Rows, Depth, id);
        _packedB = GemmKernel.PackTransposedB(z.AsSpan(0, Columns * Depth), Columns, Depth, id);
        _c = new float[Rows * Columns];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _packedA?.Dispose();
        _packedB?.Dispose();
    }

    /// <summary>One tile over depth 64, 1000 times: 2 MR NR 64 000 flops from L1.</summary>
    [Benchmark]
    public void TileFromL1() => MicroKernels.RunRepeatedly((MicroKernelId)Kernel, _a, _b, InL1Depth, _tile, 1000);

    /// <summary>C (256 x 1024) = A B^T over depth 1024 from packed operands: 537 MFLOP.</summary>
    [Benchmark]
    public void BlockFromPackedOperands() => GemmKernel.MultiplyPacked(_packedA!, 0, _packedA!.Rows, _packedB!, 0, Columns, _c, Columns, accumulate: false);
}
