namespace ER.Managed.Kernels.Gemm;

/// <summary>A register-blocked GEMM micro-kernel: updates an MR x NR tile of C from packed panels.</summary>
internal interface IMicroKernel
{
    /// <summary>MR, the tile's rows (A is broadcast one row at a time).</summary>
    static abstract int Rows { get; }

    /// <summary>NR, the tile's columns (B is loaded a register at a time).</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// <c>C[0..MR, 0..NR) (+)= Ap Bp</c>: Ap is kc x MR (row p holds A[0..MR, p]), Bp is kc x NR
    /// (row p holds B[p, 0..NR)), C has row stride ldc; overwritten unless <paramref name="accumulate"/>.
    /// </summary>
    static abstract void Run(ref float ap, ref float bp, int kc, ref float c, nuint ldc, bool accumulate);
}
