using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using ER.Managed.Diagnostics;
using System.Threading;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ER.Managed.QemuRunner;

/// <summary>
/// <c>ER.Managed.QemuRunner [CLASS-PREFIX ...]</c>: discovers and runs, in this process, the tests
/// whose class's full name starts with one of the prefixes (all when none is given), through
/// xunit's own framework (<see cref="XunitTestFramework"/>); prints each failure and a closing
/// "N passed, N failed, N skipped" line and exits 1 on any failure or when nothing ran. It exists
/// for linux-arm64 under qemu, where `dotnet test` has no host to run.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Assembly tests = typeof(ER.Managed.Tests.Kernels.GemmKernelTests).Assembly;
        var diagnostics = new Sink();
        using var framework = new XunitTestFramework(diagnostics);

        var discovery = new Sink();
        using (ITestFrameworkDiscoverer discoverer = framework.GetDiscoverer(Reflector.Wrap(tests)))
        {
            discoverer.Find(includeSourceInformation: false, discovery, new Options());
            discovery.Finished.Wait();
        }

        // ER.Managed.Tests.Processes starts `dotnet` (er.dll, README programs); this self-contained runner has no dotnet
        // host. The ARM64 `er` itself is checked by .ci/run (NativeAOT build under qemu).
        const string ProcessTests = "ER.Managed.Tests.Processes.";
        List<ITestCase> selected = discovery.TestCases
            .Where(t => !t.TestMethod.TestClass.Class.Name.StartsWith(ProcessTests, StringComparison.Ordinal))
            .Where(t => args.Length == 0 || args.Any(prefix => t.TestMethod.TestClass.Class.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();
        Console.WriteLine($"running {selected.Count} of {discovery.TestCases.Count} test cases (not {ProcessTests}*, which start processes) on {RuntimeInformation.ProcessArchitecture}, kernels {KernelDiagnostics.Current.KernelWidth}, GEMM {KernelDiagnostics.Current.GemmKernel}");

        var execution = new Sink();
        using (ITestFrameworkExecutor executor = framework.GetExecutor(tests.GetName()))
        {
            executor.RunTests(selected, execution, new Options());
            execution.Finished.Wait();
        }

        Console.WriteLine($"{execution.Passed} passed, {execution.Failed} failed, {execution.Skipped} skipped");
        return execution.Failed == 0 && execution.Passed > 0 ? 0 : 1;
    }

    /// <summary>Collects discovered cases and results; signals <see cref="Finished"/> at the end of discovery or of the run.</summary>
    private sealed class Sink : LongLivedMarshalByRefObject, IMessageSink
    {
        private int _passed, _failed, _skipped;

        internal List<ITestCase> TestCases { get; } = [];

        internal ManualResetEventSlim Finished { get; } = new();

        internal int Passed => _passed;

        internal int Failed => _failed;

        internal int Skipped => _skipped;

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestCaseDiscoveryMessage found:
                    TestCases.Add(found.TestCase);
                    break;
                case IDiscoveryCompleteMessage:
                case ITestAssemblyFinished:
                    Finished.Set();
                    break;
                case ITestPassed:
                    Interlocked.Increment(ref _passed);
                    break;
                case ITestSkipped:
                    Interlocked.Increment(ref _skipped);
                    break;
                case ITestFailed failed:
                    Interlocked.Increment(ref _failed);
                    Console.WriteLine($"FAIL {failed.Test.DisplayName}: {string.Join(" | ", failed.Messages)}");
                    break;
                case IErrorMessage error:
                    Interlocked.Increment(ref _failed);
                    Console.WriteLine($"ERROR {string.Join(" | ", error.Messages)}");
                    break;
            }

            return true;
        }
    }

    /// <summary>Discovery and execution options with xunit's defaults (every value unset).</summary>
    private sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> _values = [];

        public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out object? value) && value is TValue typed ? typed : default!;

        public void SetValue<TValue>(string name, TValue value) => _values[name] = value;
    }
}
