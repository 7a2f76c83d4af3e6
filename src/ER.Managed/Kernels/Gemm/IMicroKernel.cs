namespace ER.Managed.Kernels.Gemm;

/// <summary>
/// A register-blocked GEMM micro-kernel: updates an MR x NR tile of C from packed micro-panels.
/// Each implementation states its shape, whether this CPU runs it, and the rule that sizes its
/// blocking from the cache sizes (<see cref="GemmBlocking"/>); <see cref="MicroKernels"/> lists them.
/// </summary>
internal interface IMicroKernel
{
    /// <summary>A short name for <c>er info</c> and the benchmarks, e.g. "avx512-6x64".</summary>
    static abstract string Name { get; }

    /// <summary>MR, the tile's rows (the packed A micro-panel holds MR floats a step).</summary>
    static abstract int Rows { get; }

    /// <summary>NR, the tile's columns (the packed B micro-panel holds NR floats a step).</summary>
    static abstract int Columns { get; }

    /// <summary>Whether this CPU runs the kernel's instructions in hardware (a kernel built on width-generic vectors still runs, emulated, where false).</summary>
    static abstract bool IsSupported { get; }

    /// <summary>Whether the kernel can run at all here (false only for kernels written with one architecture's intrinsics, such as AdvSimd on x86).</summary>
    static abstract bool CanRun { get; }

    /// <summary>The kernel's blocking for these caches (its rule is documented on the implementation).</summary>
    static abstract GemmBlocking Blocking(CacheSizes caches);

    /// <summary>Whether <see cref="Run"/> accepts A read in place through strides (else A must be packed).</summary>
    static abstract bool ReadsStridedA { get; }

    /// <summary>
    /// <c>C[0..MR, 0..NR) (+)= A B</c> over kc steps: A[r, p] at <c>a + r aRowStride + p aStep</c>
    /// (packed: 1 and MR; a row-major A read in place: lda and 1, for kernels that
    /// <see cref="ReadsStridedA"/>); B with NR contiguous floats a step (step p holds B[p, 0..NR) at
    /// <c>b + p bStep</c>: bStep = NR for a packed micro-panel, the row stride for a row-major B read
    /// in place); C has row stride ldc and is overwritten unless <paramref name="accumulate"/>.
    /// </summary>
    static abstract void Run(ref float a, nuint aRowStride, nuint aStep, ref float b, nuint bStep, int kc, ref float c, nuint ldc, bool accumulate);
}
