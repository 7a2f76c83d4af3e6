using System.Buffers;

namespace ER.Managed.Kernels.Gemm;

/// <summary>A matrix packed once by <see cref="GemmKernel.PackTransposedB(ReadOnlySpan{float}, int, int, MicroKernelId)"/> for many products; its buffer comes from the shared pool and goes back on <see cref="Dispose"/>.</summary>
internal sealed class PackedOperand : IDisposable
{
    internal PackedOperand(int rows, int depth, int panel, int sliceDepth, MicroKernelId kernel, int length)
    {
        Rows = rows;
        Depth = depth;
        Panel = panel;
        SliceDepth = sliceDepth;
        Kernel = kernel;
        Buffer = ArrayPool<float>.Shared.Rent(length);
    }

    /// <summary>Rows of the source matrix (m for A, n for B).</summary>
    internal int Rows { get; }

    /// <summary>The inner dimension.</summary>
    internal int Depth { get; }

    /// <summary>Micro-panel size: MR for an A operand, NR for a B operand.</summary>
    internal int Panel { get; }

    /// <summary>KC of the packing: the depth of each slice but the last.</summary>
    internal int SliceDepth { get; }

    /// <summary>The micro-kernel whose layout this is.</summary>
    internal MicroKernelId Kernel { get; }

    internal float[] Buffer { get; }

    public void Dispose() => ArrayPool<float>.Shared.Return(Buffer);
}
