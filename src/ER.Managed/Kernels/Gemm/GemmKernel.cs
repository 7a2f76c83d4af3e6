using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// <c>C (+)= op(A) op(B)</c> for row-major float matrices, op(A) m x k and op(B) k x n, where each
/// operand is stored as is or transposed (<c>transA</c>: A is stored k x m; <c>transB</c>: B is
/// stored n x k, as in <c>Z Z^T</c>). Packed BLIS-style (see <see cref="GemmBlocking"/>) with the
/// AVX-512 or AVX2 micro-kernel; below AVX2 the simple dot-product path of
/// <see cref="MatrixProductKernel"/>. Single-threaded: callers split the work.
/// </summary>
internal static class GemmKernel
{
    /// <summary>Whether <paramref name="width"/> has a packed micro-kernel (else the simple path runs).</summary>
    internal static bool HasMicroKernel(KernelWidth width) => width is KernelWidth.V512 or KernelWidth.V256;

    internal static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, KernelWidth width)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }

            return;
        }

        switch (width)
        {
            case KernelWidth.V512:
                Packed<MicroKernel512>(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);
                break;
            case KernelWidth.V256:
                Packed<MicroKernel256>(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);
                break;
            default:
                Simple(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate, width);
                break;
        }
    }

    private static void Packed<TKernel>(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate)
        where TKernel : struct, IMicroKernel
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        const int KC = GemmBlocking.KC, MC = GemmBlocking.MC, NC = GemmBlocking.NC;
        int mcMax = RoundUp(Math.Min(MC, m), mr);
        int ncMax = RoundUp(Math.Min(NC, n), nr);
        int kcMax = Math.Min(KC, k);
        float[] aBuffer = ArrayPool<float>.Shared.Rent(mcMax * kcMax);
        float[] bBuffer = ArrayPool<float>.Shared.Rent(ncMax * kcMax);
        float[] edgeBuffer = ArrayPool<float>.Shared.Rent(mr * nr);
        try
        {
            ref float cRef = ref MemoryMarshal.GetReference(c);
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    bool add = accumulate || pc > 0;
                    PackB(b, ldb, transB, pc, kc, jc, nc, nr, bBuffer);
                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        PackA(a, lda, transA, ic, mc, pc, kc, mr, aBuffer);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nrValid = Math.Min(nr, nc - jr);
                            ref float bPanel = ref bBuffer[jr * kc];
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int mrValid = Math.Min(mr, mc - ir);
                                ref float aPanel = ref aBuffer[ir * kc];
                                ref float cTile = ref Unsafe.Add(ref cRef, ((ic + ir) * ldc) + jc + jr);
                                if (mrValid == mr && nrValid == nr)
                                {
                                    TKernel.Run(ref aPanel, ref bPanel, kc, ref cTile, (nuint)ldc, add);
                                }
                                else
                                {
                                    TKernel.Run(ref aPanel, ref bPanel, kc, ref edgeBuffer[0], (nuint)nr, accumulate: false);
                                    StoreEdge(edgeBuffer, nr, ref cTile, ldc, mrValid, nrValid, add);
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(aBuffer);
            ArrayPool<float>.Shared.Return(bBuffer);
            ArrayPool<float>.Shared.Return(edgeBuffer);
        }
    }

    /// <summary>Packs op(A)[ic.., pc..] (mc x kc) into micro-panels of mr rows: panel q, step p, row r at q*kc*mr + p*mr + r; zero-padded.</summary>
    private static void PackA(ReadOnlySpan<float> a, int lda, bool transA, int ic, int mc, int pc, int kc, int mr, float[] packed)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            Span<float> panel = packed.AsSpan(ir * kc, mr * kc);
            if (rows < mr)
            {
                panel.Clear();
            }

            if (transA)
            {
                // A is stored k x m: op(A)[r, p] = a[p, r], so each step p copies a contiguous run.
                for (int p = 0; p < kc; p++)
                {
                    a.Slice(((pc + p) * lda) + ic + ir, rows).CopyTo(panel.Slice(p * mr, rows));
                }
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<float> row = a.Slice(((ic + ir + r) * lda) + pc, kc);
                    for (int p = 0; p < kc; p++)
                    {
                        panel[(p * mr) + r] = row[p];
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[pc.., jc..] (kc x nc) into micro-panels of nr columns: panel q, step p, column j at q*kc*nr + p*nr + j; zero-padded.</summary>
    private static void PackB(ReadOnlySpan<float> b, int ldb, bool transB, int pc, int kc, int jc, int nc, int nr, float[] packed)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int columns = Math.Min(nr, nc - jr);
            Span<float> panel = packed.AsSpan(jr * kc, nr * kc);
            if (columns < nr)
            {
                panel.Clear();
            }

            if (transB)
            {
                // B is stored n x k: op(B)[p, j] = b[j, p]; read each stored row contiguously.
                for (int j = 0; j < columns; j++)
                {
                    ReadOnlySpan<float> row = b.Slice(((jc + jr + j) * ldb) + pc, kc);
                    for (int p = 0; p < kc; p++)
                    {
                        panel[(p * nr) + j] = row[p];
                    }
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    b.Slice(((pc + p) * ldb) + jc + jr, columns).CopyTo(panel.Slice(p * nr, columns));
                }
            }
        }
    }

    private static void StoreEdge(float[] tile, int nr, ref float c, int ldc, int rows, int columns, bool add)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < columns; j++)
            {
                ref float target = ref Unsafe.Add(ref c, (r * ldc) + j);
                target = add ? target + tile[(r * nr) + j] : tile[(r * nr) + j];
            }
        }
    }

    /// <summary>The simple path: dot products (or axpys) over contiguous rows, transposing an operand into scratch where needed.</summary>
    private static void Simple(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, KernelWidth width)
    {
        float[]? aCopy = null;
        float[]? bCopy = null;
        try
        {
            // Bring A to m x k row-major and B to n x k row-major (B^T), then C_ij = <A_i, B_j>.
            ReadOnlySpan<float> rowsA = transA || lda != k ? Transposed(a, lda, transA, m, k, out aCopy) : a[..(m * k)];
            ReadOnlySpan<float> rowsB = !transB || ldb != k ? Transposed(b, ldb, !transB, n, k, out bCopy) : b[..(n * k)];
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> ai = rowsA.Slice(i * k, k);
                Span<float> ci = c.Slice(i * ldc, n);
                for (int j = 0; j < n; j++)
                {
                    float dot = DotKernel.Run(ai, rowsB.Slice(j * k, k), width);
                    ci[j] = accumulate ? ci[j] + dot : dot;
                }
            }
        }
        finally
        {
            if (aCopy is not null)
            {
                ArrayPool<float>.Shared.Return(aCopy);
            }

            if (bCopy is not null)
            {
                ArrayPool<float>.Shared.Return(bCopy);
            }
        }
    }

    /// <summary>Copies a rows x k matrix, stored as is (stride ld) or transposed (k x rows, stride ld), into a dense rows x k buffer.</summary>
    private static ReadOnlySpan<float> Transposed(ReadOnlySpan<float> source, int ld, bool stored, int rows, int k, out float[] buffer)
    {
        buffer = ArrayPool<float>.Shared.Rent(rows * k);
        for (int r = 0; r < rows; r++)
        {
            for (int p = 0; p < k; p++)
            {
                buffer[(r * k) + p] = stored ? source[(p * ld) + r] : source[(r * ld) + p];
            }
        }

        return buffer.AsSpan(0, rows * k);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
