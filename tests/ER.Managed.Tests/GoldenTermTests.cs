using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ER.Managed.Npy;

namespace ER.Managed.Tests;

/// <summary>Every golden case's value, both normalizers, at the manifest's value tolerance.</summary>
public class GoldenTermTests
{
    public static IEnumerable<object[]> CaseIds => GoldenData.Cases.Select(c => new object[] { c.GetProperty("id").GetString()! });

    /// <summary>
    /// The manifest's value tolerance, |got - want| &lt;= value_rel |want| + value_abs (1e-5 each):
    /// float32 inputs and float32 similarities leave about 1e-7 relative per element, and
    /// kappa = 100 magnifies the rounding of ||z||^2 into the LSE (the worst case here is ~25% of it).
    /// </summary>
    internal static void AssertValue(double want, double got, string id)
    {
        double tol = (GoldenData.ToleranceOf("value_rel") * Math.Abs(want)) + GoldenData.ToleranceOf("value_abs");
        Assert.True(Math.Abs(got - want) <= tol, $"{id}: got {got:R}, want {want:R}, |err| {Math.Abs(got - want):E3} > {tol:E3}");
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Golden_case_value_matches(string id)
    {
        GoldenCase c = GoldenCase.Load(id);
        double got = c.Op switch
        {
            "entropy" when c.Support == "sphere" => Entropy.Sphere(c.A.Data, c.A.Rows, c.A.Columns, c.Kappa, c.Reduction, c.Normalizer),
            "entropy" => Entropy.Discrete(c.A.Data, c.A.Rows, c.A.Columns, c.Reduction),
            "reconstruction" when c.Support == "sphere" => Reconstruction.Sphere(c.A.Data, c.B!.Data, c.A.Rows, c.A.Columns, c.Kappa, c.Normalizer),
            "reconstruction" => Reconstruction.Discrete(c.A.Data, c.B!.Data, c.A.Rows, c.A.Columns),
            _ => throw new InvalidOperationException(c.Op),
        };
        AssertValue(c.Value, got, id);
    }
}

internal sealed record Matrix(float[] Data, int Rows, int Columns)
{
    internal static Matrix Load(string file)
    {
        NpyArray array = NpyFile.Read(GoldenData.PathOf(file));
        return new Matrix(array.ToSingleArray(), array.Rows, array.Columns);
    }
}

internal sealed record GoldenCase(
    string Id,
    string Op,
    string Support,
    EntropyReduction Reduction,
    NormalizerMode Normalizer,
    double Kappa,
    Matrix A,
    Matrix? B,
    double Value,
    string[] Grads)
{
    internal static GoldenCase Load(string id)
    {
        JsonElement c = GoldenData.Case(id);
        string[] inputs = c.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()!).ToArray();
        string? Text(string name) => c.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return new GoldenCase(
            id,
            c.GetProperty("op").GetString()!,
            c.GetProperty("support").GetString()!,
            Text("reduction") == "average" ? EntropyReduction.Average : EntropyReduction.Expectation,
            Text("normalizer") == "reference" ? NormalizerMode.Reference : NormalizerMode.Exact,
            c.TryGetProperty("kappa", out JsonElement k) && k.ValueKind == JsonValueKind.Number ? k.GetDouble() : Entropy.DefaultKappa,
            Matrix.Load(inputs[0]),
            inputs.Length > 1 ? Matrix.Load(inputs[1]) : null,
            c.GetProperty("value").GetDouble(),
            c.TryGetProperty("grads", out JsonElement g) ? g.EnumerateArray().Select(e => e.GetString()!).ToArray() : []);
    }
}
