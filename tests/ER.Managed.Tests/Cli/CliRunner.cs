using System.IO;
using ER.Managed.Cli;

namespace ER.Managed.Tests.Cli;

internal static class CliRunner
{
    internal static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = ER.Managed.Cli.Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
