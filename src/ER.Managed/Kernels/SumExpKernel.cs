using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// <c>sum_i exp(scale * x_i - shift)</c>, the inner sum of a stable log-sum-exp, returned in double
/// (<see cref="ReduceDriver"/> over <see cref="ScaledExp"/>: float accumulators over chunks, chunks
/// in double, so the sum keeps float's precision for rows of any length). scale must be positive,
/// so that the padding's exponentials are zero.
/// </summary>
internal static class SumExpKernel
{
    internal static double Run(ReadOnlySpan<float> x, float scale, float shift, KernelWidth width) =>
        ReduceDriver.Sum(x, new ScaledExp(scale, -shift), width);
}
