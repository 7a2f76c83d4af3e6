using System.Runtime.InteropServices;

namespace ER.Managed.Native;

/// <summary>
/// <c>er_options</c> (er_managed.h): a caller sets <see cref="Size"/> to <c>sizeof(er_options)</c> of
/// the header it compiled against, so that fields added later keep their defaults for older callers
/// and newer callers' extra fields are ignored. A NULL pointer means every default.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct NativeOptions
{
    /// <summary>sizeof(er_options) as the caller knows it.</summary>
    public uint Size;

    /// <summary>Threads to use; 0 for all cores.</summary>
    public int Threads;

    /// <summary>0 the exact normalizer (default), 1 the original's reference form.</summary>
    public int Normalizer;

    /// <summary>1 to check the inputs (unit rows, probability rows, finite values), 0 to skip the checks.</summary>
    public int Validate;

    /// <summary>Bytes of the fields this library knows.</summary>
    internal const uint KnownSize = 16;

    /// <summary>The settings behind a pointer (NULL: defaults), as library options and the normalizer.</summary>
    internal static unsafe (ErOptions Options, NormalizerMode Normalizer) Read(NativeOptions* options)
    {
        if (options is null)
        {
            return (ErOptions.Default, NormalizerMode.Exact);
        }

        uint size = options->Size;
        if (size < 4)
        {
            throw new ArgumentException($"options->size is {size}; set it to sizeof(er_options).", nameof(options));
        }

        int threads = size >= 8 ? options->Threads : 0;
        int normalizer = size >= 12 ? options->Normalizer : 0;
        int validate = size >= 16 ? options->Validate : 1;
        if (threads < 0)
        {
            throw new ArgumentException($"options->threads is {threads}; use 0 for all cores or a positive count.", nameof(options));
        }

        if (normalizer is not (0 or 1))
        {
            throw new ArgumentException($"options->normalizer is {normalizer}; use ER_NORMALIZER_EXACT (0) or ER_NORMALIZER_REFERENCE (1).", nameof(options));
        }

        if (validate is not (0 or 1))
        {
            throw new ArgumentException($"options->validate is {validate}; use 1 (check the inputs) or 0.", nameof(options));
        }

        var settings = new ErOptions { MaxDegreeOfParallelism = threads == 0 ? -1 : threads, ValidateInputs = validate == 1 };
        return (settings, normalizer == 1 ? NormalizerMode.Reference : NormalizerMode.Exact);
    }
}
