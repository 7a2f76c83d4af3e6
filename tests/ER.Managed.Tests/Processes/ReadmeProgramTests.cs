using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ER.Managed.Tests.Processes;

/// <summary>
/// Every C# block of README.md (and of docs/gradients.md, normalizer.md, distributed.md and training.md) is a complete program: each is written, as it stands, into the
/// Program.cs of a fresh console project (the settings of <c>dotnet new console</c>, warnings as
/// errors) that references this build of ER.Managed, built with <c>dotnet build</c> and run, and
/// its output must be the one the document shows after it ("It prints:" and a text block).
/// </summary>
public sealed partial class ReadmeProgramTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-readme-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("README.md", 2)]
    [InlineData("docs/gradients.md", 1)]
    [InlineData("docs/normalizer.md", 1)]
    [InlineData("docs/distributed.md", 1)]
    [InlineData("docs/training.md", 1)]
    public void Every_csharp_block_builds_and_runs(string document, int atLeast)
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, document)).Replace("\r\n", "\n", StringComparison.Ordinal);
        string[] blocks = [.. CsharpBlock().Matches(readme).Select(m => m.Groups[1].Value)];
        string[] printed = [.. CsharpBlock().Matches(readme).Select(m => PrintedBlock().Match(readme, m.Index + m.Length) is { Success: true } p ? p.Groups[1].Value : string.Empty)];
        Assert.True(blocks.Length >= atLeast, $"found {blocks.Length} C# blocks in {document}");
        string library = Path.Combine(AppContext.BaseDirectory, "ER.Managed.dll");
        string tensors = Path.Combine(AppContext.BaseDirectory, "System.Numerics.Tensors.dll");
        for (int i = 0; i < blocks.Length; i++)
        {
            string project = Path.Combine(_folder, $"Block{i}");
            Directory.CreateDirectory(project);
            File.WriteAllText(Path.Combine(project, "Program.cs"), blocks[i], Encoding.UTF8);
            File.WriteAllText(Path.Combine(project, $"Block{i}.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <Reference Include="ER.Managed" HintPath="{library}" />
                    <Reference Include="System.Numerics.Tensors" HintPath="{tensors}" />
                  </ItemGroup>
                </Project>
                """);
            string firstLine = blocks[i].Split('\n').First(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal));
            var (code, output, errors) = ErProcess.Dotnet(project, "build", "-c", "Release", "-o", "out", "-nologo", "-v", "q");
            Assert.True(code == 0, $"{document} block {i} ({firstLine}) does not build:\n{Encoding.UTF8.GetString(output)}{errors}");
            (code, output, errors) = ErProcess.Dotnet(project, Path.Combine("out", $"Block{i}.dll"));
            Assert.True(code == 0, $"{document} block {i} ({firstLine}) failed:\n{errors}");
            Assert.False(string.IsNullOrWhiteSpace(printed[i]), $"{document} block {i} ({firstLine}) is not followed by 'It prints:' and its output");
            AssertPrints(printed[i], Encoding.UTF8.GetString(output).Replace("\r\n", "\n", StringComparison.Ordinal), $"{document} block {i} ({firstLine})");
        }
    }

    /// <summary>
    /// The text must match, except that a number may differ by one unit in its last printed digit:
    /// the SIMD widths (and the CI's runs with each switched off) sum in different orders, which
    /// can move a value across a rounding boundary of the printed digits.
    /// </summary>
    internal static void AssertPrints(string expected, string actual, string what)
    {
        string Skeleton(string text) => Number().Replace(text, "#");
        Assert.True(Skeleton(expected) == Skeleton(actual), $"{what} printed\n{actual}\nbut the document shows\n{expected}");
        string[] want = [.. Number().Matches(expected).Select(m => m.Value)];
        string[] got = [.. Number().Matches(actual).Select(m => m.Value)];
        for (int j = 0; j < want.Length; j++)
        {
            double unit = LastDigitUnit(want[j]);
            double w = double.Parse(want[j], CultureInfo.InvariantCulture), g = double.Parse(got[j], CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(w - g) <= unit * 1.000001, $"{what} printed {got[j]} where the document shows {want[j]} (more than one unit of its last digit)\n{actual}");
        }
    }

    private static double LastDigitUnit(string number)
    {
        int e = number.IndexOfAny(['E', 'e']);
        string mantissa = e < 0 ? number : number[..e];
        int exponent = e < 0 ? 0 : int.Parse(number[(e + 1)..], CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        int decimals = dot < 0 ? 0 : mantissa.Length - dot - 1;
        return Math.Pow(10, exponent - decimals);
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?(E[-+]?\d+)?")]
    private static partial Regex Number();

    [GeneratedRegex("\\G\n+It prints:\n+```text\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PrintedBlock();

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CsharpBlock();
}
