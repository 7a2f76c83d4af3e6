using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ER.Managed.Tests;

/// <summary>The golden cases and lognorm table copied from ../shared/golden into this project.</summary>
internal static class GoldenData
{
    internal static string Directory => Path.Combine(AppContext.BaseDirectory, "Golden");

    private static readonly Lazy<JsonDocument> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "manifest.json"))));

    internal static JsonElement Tolerance => Manifest.Value.RootElement.GetProperty("tolerance");

    internal static double ToleranceOf(string name) => Tolerance.GetProperty(name).GetDouble();

    internal static IEnumerable<JsonElement> Cases => Manifest.Value.RootElement.GetProperty("cases").EnumerateArray();

    internal static IEnumerable<JsonElement> LogNormRows => Manifest.Value.RootElement.GetProperty("lognorm").EnumerateArray();

    internal static JsonElement Case(string id) => Cases.Single(c => c.GetProperty("id").GetString() == id);

    internal static LogNormRow Row(int index)
    {
        JsonElement e = LogNormRows.ElementAt(index);
        JsonElement reference = e.GetProperty("reference_constant");
        return new LogNormRow(
            e.GetProperty("d").GetInt32(),
            e.GetProperty("kappa").GetDouble(),
            Parse(e, "log_bessel_i"),
            Parse(e, "log_normalizer"),
            Parse(e, "bessel_ratio"),
            Parse(e, "vmf_entropy"),
            reference.ValueKind == JsonValueKind.Null ? null : reference.GetDouble());
    }

    private static double Parse(JsonElement e, string name) =>
        double.Parse(e.GetProperty(name).GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    internal static string PathOf(string file) => Path.Combine(Directory, file);
}

internal sealed record LogNormRow(int D, double Kappa, double LogBesselI, double LogNormalizer, double BesselRatio, double VmfEntropy, double? ReferenceConstant)
{
    internal double Nu => (0.5 * D) - 1.0;
}
