using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace ER.Managed.Tests.Processes;

/// <summary>
/// Every C# block of README.md (and of docs/gradients.md, normalizer.md, distributed.md and training.md) is a complete program: each is written, as it stands, into the
/// Program.cs of a fresh console project (the settings of <c>dotnet new console</c>, warnings as
/// errors) that references this build of ER.Managed, built with <c>dotnet build</c> and run.
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
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), document)).Replace("\r\n", "\n", StringComparison.Ordinal);
        string[] blocks = [.. CsharpBlock().Matches(readme).Select(m => m.Groups[1].Value)];
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
            Assert.False(string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(output)), $"{document} block {i} printed nothing");
        }
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CsharpBlock();

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
