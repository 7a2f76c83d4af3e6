using System.Runtime.InteropServices;

namespace ER.Managed.Cli.Files;

/// <summary>What a path names, as far as writing to it is concerned.</summary>
internal enum FileKind
{
    /// <summary>Nothing there yet.</summary>
    Missing,

    /// <summary>A regular file: replaced atomically.</summary>
    Regular,

    /// <summary>A directory: neither read nor written.</summary>
    Directory,

    /// <summary>A device, FIFO or socket: written to directly, never replaced.</summary>
    Special,
}

/// <summary>
/// Resolves paths the way the CLI reads and writes them: symbolic links followed to their final
/// target (also a dangling one, which is then created), and the kind of file found there from
/// <c>stat</c> (.NET reports devices and FIFOs as ordinary files, and opening a FIFO to probe it
/// would block until a peer opens its other end).
/// </summary>
internal static partial class FileKinds
{
    /// <summary>Linux's MAXSYMLINKS: the links one path may pass through.</summary>
    internal const int MaxLinks = 40;

    /// <summary>
    /// The absolute path that <paramref name="path"/> finally designates, following every symbolic
    /// link of its last component: up to <see cref="MaxLinks"/> of them, as Linux does (a 41st is
    /// its "too many levels of symbolic links", and so is a cycle).
    /// </summary>
    /// <exception cref="CliInputException">More than <see cref="MaxLinks"/> links.</exception>
    internal static string FinalTarget(string path)
    {
        string current = Path.GetFullPath(path);
        for (int followed = 0; ; followed++)
        {
            string? link;
            try
            {
                link = new FileInfo(current).LinkTarget;
            }
            catch (IOException)
            {
                return current;
            }

            if (link is null)
            {
                return current;
            }

            if (followed == MaxLinks)
            {
                throw new CliInputException($"{path}: too many levels of symbolic links.");
            }

            current = Path.GetFullPath(link, Path.GetDirectoryName(current) ?? "/");
        }
    }

    /// <summary>The kind of file at <paramref name="target"/> (a final target, no links left).</summary>
    internal static FileKind KindOf(string target)
    {
        if (Directory.Exists(target))
        {
            return FileKind.Directory;
        }

        if (!File.Exists(target))
        {
            // Under /proc a link may end in a pseudo-name such as "pipe:[123]": a special file.
            return target.StartsWith("/proc/", StringComparison.Ordinal) ? FileKind.Special : FileKind.Missing;
        }

        int? mode = UnixMode(target);
        if (mode is int m)
        {
            return (m & 0xF000) == 0x8000 ? FileKind.Regular : FileKind.Special;
        }

        // No stat here (Windows, or an unknown libc): devices live under /dev and /proc by convention.
        return target.StartsWith("/dev/", StringComparison.Ordinal) || target.StartsWith("/proc/", StringComparison.Ordinal)
            ? FileKind.Special
            : FileKind.Regular;
    }

    /// <summary>
    /// "device:inode" of an existing file from stat(2) (Linux, macOS arm64), or null where unknown or
    /// missing: two paths with the same identity are one file, hard links included, which the paths
    /// alone cannot tell.
    /// </summary>
    internal static string? Identity(string path)
    {
        // st_dev then st_ino (8 bytes each) in Linux's x86-64 and generic layouts; macOS's 64-bit-inode
        // stat has a 32-bit st_dev, 16-bit st_mode and st_nlink, then the 64-bit st_ino.
        (int device, bool device32, int inode) layout;
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64)
        {
            layout = (0, false, 8);
        }
        else if (OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            layout = (0, true, 8);
        }
        else
        {
            return null;
        }

        if (StatBuffer(path) is not byte[] buffer)
        {
            return null;
        }

        ulong device = layout.device32 ? BitConverter.ToUInt32(buffer, layout.device) : BitConverter.ToUInt64(buffer, layout.device);
        return $"{device}:{BitConverter.ToUInt64(buffer, layout.inode)}";
    }

    /// <summary>st_mode from stat(2) on Linux (x64, arm64) and macOS, or null where unknown.</summary>
    private static int? UnixMode(string path)
    {
        int offset;
        bool sixteenBit = false;
        if (OperatingSystem.IsLinux())
        {
            // struct stat: x86-64 has st_dev, st_ino, st_nlink (8 bytes each) before st_mode;
            // the generic layout (arm64) has st_dev, st_ino, then st_mode.
            offset = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => 24,
                Architecture.Arm64 => 16,
                _ => -1,
            };
        }
        else if (OperatingSystem.IsMacOS())
        {
            offset = 4; // dev_t is 32-bit there, then a 16-bit mode_t
            sixteenBit = true;
        }
        else
        {
            return null;
        }

        if (offset < 0)
        {
            return null;
        }

        if (StatBuffer(path) is not byte[] buffer)
        {
            return null;
        }

        return sixteenBit ? BitConverter.ToUInt16(buffer, offset) : BitConverter.ToInt32(buffer, offset);
    }

    /// <summary>The raw struct stat of <paramref name="path"/>, or null where stat fails or libc has no such export.</summary>
    private static byte[]? StatBuffer(string path)
    {
        byte[] buffer = new byte[512];
        try
        {
            return Stat(path, buffer) == 0 ? buffer : null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // glibc before 2.33 exports only __xstat.
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, byte[] buffer);
}
