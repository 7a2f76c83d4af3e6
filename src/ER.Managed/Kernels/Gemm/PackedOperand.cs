using System;
using System.Buffers;

namespace ER.Managed.Kernels.Gemm;

/// <summary>A matrix packed once by <see cref="GemmKernel.PackTransposedB"/> for many products; its buffer comes from the shared pool and goes back on <see cref="Dispose"/>.</summary>
internal sealed class PackedOperand : IDisposable
{
    internal PackedOperand(int rows, int depth, int panel, KernelWidth width, int length)
    {
        Rows = rows;
        Depth = depth;
        Panel = panel;
        Width = width;
        Buffer = ArrayPool<float>.Shared.Rent(length);
    }

    /// <summary>Rows of the source matrix (m for A, n for B).</summary>
    internal int Rows { get; }

    /// <summary>The inner dimension.</summary>
    internal int Depth { get; }

    /// <summary>Micro-panel size: MR for an A operand, NR for a B operand.</summary>
    internal int Panel { get; }

    internal KernelWidth Width { get; }

    internal float[] Buffer { get; }

    public void Dispose() => ArrayPool<float>.Shared.Return(Buffer);
}
