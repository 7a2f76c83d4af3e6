using System.Runtime.InteropServices;
using System.Text;

namespace ER.Managed.Native;

/// <summary>The status codes every export returns (er_managed.h: ER_OK ...).</summary>
public static class NativeStatus
{
    /// <summary>Success: the outputs are written.</summary>
    public const int Ok = 0;

    /// <summary>An argument was refused (a NULL pointer, a size, a value such as NaN or a negative kappa); er_last_error says which and why. No output is written.</summary>
    public const int InvalidArgument = 1;

    /// <summary>Memory ran out.</summary>
    public const int OutOfMemory = 2;

    /// <summary>Anything else (a defect: please report it with er_last_error's text).</summary>
    public const int InternalError = 3;
}

/// <summary>
/// The thread-local message of the last failed call (<c>er_last_error</c>): UTF-8, NUL-terminated, in
/// a per-thread buffer that stays valid until the next failed call on the same thread. Exceptions
/// never cross the boundary: every export catches them here and returns a status.
/// </summary>
internal static unsafe class LastError
{
    private static readonly byte* Empty = (byte*)NativeMemory.AllocZeroed(1);

    [ThreadStatic]
    private static byte* t_message;

    [ThreadStatic]
    private static int t_capacity;

    /// <summary>The last failure's message on this thread, or an empty string.</summary>
    internal static byte* Message => t_message is null ? Empty : t_message;

    /// <summary>
    /// Runs an export's body: <see cref="NativeStatus.Ok"/> when it returns, else the status of the
    /// exception it threw, whose message is kept for <c>er_last_error</c>. The one place where
    /// exceptions stop at the boundary.
    /// </summary>
    internal static int Guard(Action body)
    {
        try
        {
            body();
            return NativeStatus.Ok;
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    /// <summary>Records an exception's message and returns its status code.</summary>
    internal static int Report(Exception exception)
    {
        (int status, string text) = exception switch
        {
            ArgumentException e => (NativeStatus.InvalidArgument, Describe(e)),
            OutOfMemoryException => (NativeStatus.OutOfMemory, "out of memory"),
            _ => (NativeStatus.InternalError, $"internal error ({exception.GetType().Name}): {exception.Message}"),
        };
        Set(text);
        return status;
    }

    /// <summary>"name: message", without .NET's "(Parameter 'x')" and "Actual value was" decorations.</summary>
    internal static string Describe(ArgumentException e)
    {
        string message = e.Message;
        int actual = message.IndexOf("\nActual value was", StringComparison.Ordinal);
        if (actual >= 0)
        {
            message = message[..actual];
        }

        int parameter = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        if (parameter >= 0)
        {
            message = message[..parameter];
        }

        // The library's advice names its .NET calls; say it in the terms of this interface.
        message = message
            .Replace("Normalize them first (RowOps.L2Normalize) or raise ErOptions.UnitNormTolerance.", "Normalize them first (or set options->validate = 0 to skip the check).", StringComparison.Ordinal)
            .Replace("Apply a softmax first (RowOps.Softmax) or raise ErOptions.ProbabilitySumTolerance.", "Apply a softmax first (or set options->validate = 0 to skip the check).", StringComparison.Ordinal)
            .Replace("Use NormalizerMode.Exact", "Use ER_NORMALIZER_EXACT", StringComparison.Ordinal)
            .Trim();
        if (e.ParamName is not { Length: > 0 } name)
        {
            return message;
        }

        // "z: z is NULL." reads "z: is NULL."
        return message.StartsWith(name + " ", StringComparison.Ordinal) ? $"{name}: {message[(name.Length + 1)..]}" : $"{name}: {message}";
    }

    private static void Set(string text)
    {
        int needed = Encoding.UTF8.GetByteCount(text) + 1;
        if (t_capacity < needed)
        {
            t_message = (byte*)NativeMemory.Realloc(t_message, (nuint)needed);
            t_capacity = needed;
        }

        int written = Encoding.UTF8.GetBytes(text, new Span<byte>(t_message, t_capacity));
        t_message[written] = 0;
    }
}
