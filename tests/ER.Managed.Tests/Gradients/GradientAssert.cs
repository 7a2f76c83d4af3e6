using System.Linq;

namespace ER.Managed.Tests.Gradients;

internal static class GradientAssert
{
    /// <summary>
    /// max |got - want| &lt;= tol * max |want| (+ a floor for all-zero gradients): the manifest's
    /// grad_rel_to_max form. The library computes in float32 (about 1e-6 relative); central
    /// differences in double are within ~1e-9; 1e-4 leaves room for neither to matter.
    /// </summary>
    internal static void Close(double[] want, float[] got, string what, double tol = 1e-4, double floor = 1e-9)
    {
        Assert.Equal(want.Length, got.Length);
        double scale = want.Length == 0 ? 0 : want.Max(Math.Abs);
        double error = want.Select((w, i) => Math.Abs(got[i] - w)).DefaultIfEmpty(0).Max();
        Assert.True(error <= (tol * scale) + floor, $"{what}: max error {error:E3} vs max |grad| {scale:E3}");
    }

    internal static void Close(double want, double got, string what, double tol = 1e-4) =>
        Assert.True(Math.Abs(got - want) <= (tol * Math.Max(1, Math.Abs(want))), $"{what}: got {got:R}, want {want:R}");
}
