namespace ER.Managed.Kernels.Gemm;

/// <summary>A register-blocked GEMM micro-kernel: updates an MR x NR tile of C from packed panels.</summary>
internal interface IMicroKernel
{
    /// <summary>MR, the tile's rows (A is broadcast one row at a time).</summary>
    static abstract int Rows { get; }

    /// <summary>NR, the tile's columns (B is loaded a register at a time).</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// <c>C[0..MR, 0..NR) (+)= A B</c> over kc steps: A[r, p] is read at <c>ap + r aRowStride + p aStep</c>
    /// (packed: 1 and MR; a row-major A in place: lda and 1; a transposed one: 1 and lda), row p of
    /// B (NR contiguous floats) at <c>bp + p bStep</c> (packed: NR; a row-major B in place: ldb); C has
    /// row stride ldc and is overwritten unless <paramref name="accumulate"/>.
    /// </summary>
    static abstract void Run(ref float ap, nuint aRowStride, nuint aStep, ref float bp, nuint bStep, int kc, ref float c, nuint ldc, bool accumulate);
}
