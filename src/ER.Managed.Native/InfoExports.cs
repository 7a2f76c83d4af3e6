using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace ER.Managed.Native;

/// <summary>The library's version, its ABI version and the last error (er_managed.h).</summary>
public static unsafe class InfoExports
{
    /// <summary>The ABI version: incremented when an export or er_options changes incompatibly. Compare with ER_MANAGED_ABI_VERSION.</summary>
    public const int AbiVersion = 1;

    private static readonly byte* Version = Utf8(typeof(Entropy).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary><c>const char* er_version(void)</c>: the library's version, e.g. "0.1.0" (static storage).</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_version")]
    public static byte* LibraryVersion() => Version;

    /// <summary><c>int32_t er_abi_version(void)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "er_abi_version")]
    public static int Abi() => AbiVersion;

    /// <summary>
    /// <c>const char* er_last_error(void)</c>: the message of the last failed call on this thread (UTF-8),
    /// or "" if none has failed; valid until the next failed call on the same thread.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "er_last_error")]
    public static byte* Error() => LastError.Message;

    private static byte* Utf8(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text + "\0");
        byte* copy = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(copy, bytes.Length));
        return copy;
    }
}
