using System.Linq;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace ER.Managed.Npy;

/// <summary>
/// Reads and writes NumPy .npy files, pure managed: any number of dimensions, C order, little-endian
/// <c>&lt;f4</c> and <c>&lt;f8</c>, format versions 1.0 and 2.0. Anything else is refused with an
/// <see cref="InvalidDataException"/> that names what was found.
/// </summary>
/// <remarks>
/// Untrusted files are safe to read: the header is capped at <see cref="MaxHeaderLength"/> bytes,
/// the shape's element count is checked for overflow, and no buffer is allocated for the data
/// before the file (or a seekable stream) is known to hold all of it.
/// </remarks>
public static partial class NpyFile
{
    /// <summary>The largest header accepted, in bytes (NumPy's own writers use well under 1 KiB).</summary>
    public const int MaxHeaderLength = 65536;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file (a regular file, or a pipe or FIFO such as <c>/dev/stdin</c>).</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The array.</returns>
    /// <exception cref="InvalidDataException">The file is not a supported .npy array; the message says what was found.</exception>
    /// <exception cref="IOException">The file cannot be read, or the path is a directory.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new IOException($"{path} is a directory, not a .npy file.");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        NpyArray array = Read(stream);

        // A pipe or FIFO (/dev/stdin, <(...)) cannot say how much is left: read one byte to know.
        if (stream.CanSeek ? stream.Position != stream.Length : stream.ReadByte() != -1)
        {
            throw new InvalidDataException(stream.CanSeek
                ? string.Create(CultureInfo.InvariantCulture, $"The file has {stream.Length - stream.Position} bytes after the data that its header announces.")
                : "The stream has bytes after the data that its header announces.");
        }

        return array;
    }

    /// <summary>Reads one .npy array from a stream, leaving the stream just after its data.</summary>
    /// <param name="stream">A readable stream positioned at the magic string.</param>
    /// <returns>The array.</returns>
    /// <exception cref="InvalidDataException">The data are not a supported .npy array; the message says what was found.</exception>
    public static NpyArray Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> preamble = stackalloc byte[8];
        ReadExactly(stream, preamble, "the magic string and version");
        if (!preamble[..6].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"Not a .npy file: it starts with {Convert.ToHexString(preamble[..6])}, not 934E554D5059 (\\x93NUMPY).");
        }

        byte major = preamble[6], minor = preamble[7];
        int lengthBytes = (major, minor) switch
        {
            (1, 0) => 2,
            (2, 0) => 4,
            _ => throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Unsupported .npy format version {major}.{minor} (supported: 1.0 and 2.0).")),
        };

        Span<byte> lengthField = stackalloc byte[4];
        ReadExactly(stream, lengthField[..lengthBytes], "the header length");
        long headerLength = lengthBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField) : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > MaxHeaderLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The header length {headerLength} exceeds the {MaxHeaderLength}-byte limit."));
        }

        if (stream.CanSeek && headerLength > stream.Length - stream.Position)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The header length {headerLength} runs past the end of the file ({stream.Length - stream.Position} bytes left)."));
        }

        byte[] headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, "the header");
        NpyHeader header = NpyHeader.Parse(Encoding.Latin1.GetString(headerBytes));

        long count = header.ElementCount;
        long dataBytes = count * header.ItemSize;
        if (stream.CanSeek && dataBytes > stream.Length - stream.Position)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"The data are truncated: shape ({string.Join(", ", header.Shape)}) of '{header.Descr}' needs {dataBytes} bytes, the file has {stream.Length - stream.Position}."));
        }

        if (header.ItemSize == 4)
        {
            float[] data = ReadData<float>(stream, (int)count, dataBytes);
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> bits = MemoryMarshal.Cast<float, int>(data.AsSpan());
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }

            return new NpyArray(header.Shape, data);
        }
        else
        {
            double[] data = ReadData<double>(stream, (int)count, dataBytes);
            if (!BitConverter.IsLittleEndian)
            {
                Span<long> bits = MemoryMarshal.Cast<double, long>(data.AsSpan());
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }

            return new NpyArray(header.Shape, data);
        }
    }

    /// <summary>
    /// Writes a float32 array as .npy (version 1.0, <c>&lt;f4</c>, C order), atomically: the data go to
    /// a temporary file in the same folder, which then replaces <paramref name="path"/>, so a failed
    /// or interrupted write never leaves a truncated file behind.
    /// </summary>
    /// <param name="path">The destination file.</param>
    /// <param name="data">The elements, row-major.</param>
    /// <param name="shape">Dimensions (none for a scalar, at most 32) whose product is <c>data.Length</c>.</param>
    /// <exception cref="ArgumentException">The shape does not match the data or has more than 32 dimensions.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape) =>
        WriteAtomically(path, data, shape, static (s, d, sh) => Write(s, d, sh));

    /// <summary>Writes a float64 array as .npy (version 1.0, <c>&lt;f8</c>, C order), atomically (see the float32 overload).</summary>
    /// <param name="path">The destination file.</param>
    /// <param name="data">The elements, row-major.</param>
    /// <param name="shape">Dimensions (none for a scalar, at most 32) whose product is <c>data.Length</c>.</param>
    /// <exception cref="ArgumentException">The shape does not match the data or has more than 32 dimensions.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, ReadOnlySpan<double> data, ReadOnlySpan<int> shape) =>
        WriteAtomically(path, data, shape, static (s, d, sh) => Write(s, d, sh));

    /// <summary>Writes a float32 array as .npy (version 1.0, <c>&lt;f4</c>, C order) to a stream.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="data">The elements, row-major.</param>
    /// <param name="shape">Dimensions (none for a scalar, at most 32) whose product is <c>data.Length</c>.</param>
    /// <exception cref="ArgumentException">The shape does not match the data or has more than 32 dimensions.</exception>
    public static void Write(Stream stream, ReadOnlySpan<float> data, ReadOnlySpan<int> shape) =>
        WriteLittleEndian(stream, data, shape, "<f4", static (element, value) => BinaryPrimitives.WriteSingleLittleEndian(element, value));

    /// <summary>Writes a float64 array as .npy (version 1.0, <c>&lt;f8</c>, C order) to a stream.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="data">The elements, row-major.</param>
    /// <param name="shape">Dimensions (none for a scalar, at most 32) whose product is <c>data.Length</c>.</param>
    /// <exception cref="ArgumentException">The shape does not match the data or has more than 32 dimensions.</exception>
    public static void Write(Stream stream, ReadOnlySpan<double> data, ReadOnlySpan<int> shape) =>
        WriteLittleEndian(stream, data, shape, "<f8", static (element, value) => BinaryPrimitives.WriteDoubleLittleEndian(element, value));

    private delegate void ElementWriter<T>(Span<byte> element, T value);

    /// <summary>The header, then the elements as they are in memory on a little-endian machine, else one at a time through <paramref name="writeElement"/>.</summary>
    private static void WriteLittleEndian<T>(Stream stream, ReadOnlySpan<T> data, ReadOnlySpan<int> shape, string descriptor, ElementWriter<T> writeElement)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteHeader(stream, descriptor, shape, data.Length);
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }

        Span<byte> element = stackalloc byte[Unsafe.SizeOf<T>()];
        foreach (T value in data)
        {
            writeElement(element, value);
            stream.Write(element);
        }
    }

    private delegate void StreamWriter<T>(Stream stream, ReadOnlySpan<T> data, ReadOnlySpan<int> shape);

    private static void WriteAtomically<T>(string path, ReadOnlySpan<T> data, ReadOnlySpan<int> shape, StreamWriter<T> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckShape(shape, data.Length);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream, data, shape);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void CheckShape(ReadOnlySpan<int> shape, int length)
    {
        if (shape.Length > NpyHeader.MaxRank)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"At most {NpyHeader.MaxRank} dimensions are written; got {shape.Length}."), nameof(shape));
        }

        // The product is held at int.MaxValue + 1 once it passes int.MaxValue (no span is longer), so
        // it never wraps: (65536, 65536, 65536, 65536) multiplied in a long is 0 and matched empty
        // data. An empty dimension still makes it 0.
        long product = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Negative dimension {dimension}."), nameof(shape));
            }

            product = Math.Min(product * dimension, int.MaxValue + 1L);
        }

        if (product != length)
        {
            string elements = product > int.MaxValue ? $"more than {int.MaxValue}" : product.ToString(CultureInfo.InvariantCulture);
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The shape ({string.Join(", ", shape.ToArray())}) holds {elements} elements, the data {length}."), nameof(shape));
        }
    }

    private static void WriteHeader(Stream stream, string descr, ReadOnlySpan<int> shape, int length)
    {
        CheckShape(shape, length);
        // Python's tuple syntax: (), (n,), (m, n), ...
        string shapeText = shape.Length == 1
            ? string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)")
            : "(" + string.Join(", ", shape.ToArray().Select(n => n.ToString(CultureInfo.InvariantCulture))) + ")";
        string dictionary = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";

        // NumPy pads the header with spaces and a final newline so that the data start on a
        // 64-byte boundary: 6 magic + 2 version + 2 length bytes + header.
        int unpadded = 10 + dictionary.Length + 1;
        int padding = (64 - (unpadded % 64)) % 64;
        string header = dictionary + new string(' ', padding) + "\n";
        Span<byte> preamble = stackalloc byte[10];
        Magic.CopyTo(preamble);
        preamble[6] = 1;
        preamble[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], (ushort)header.Length);
        stream.Write(preamble);
        stream.Write(Encoding.Latin1.GetBytes(header));
    }

    private static T[] ReadData<T>(Stream stream, int count, long bytes)
        where T : struct
    {
        // A seekable stream has been checked to hold all the data, so the array is allocated
        // whole. A stream of unknown length grows its buffer with what actually arrives, so that
        // a header announcing a huge shape cannot make us allocate more than the stream delivers.
        const int InitialElements = 1 << 16;
        const int MaxSliceElements = 1 << 24;
        int size = (int)(bytes / Math.Max(1, count));
        T[] buffer = new T[stream.CanSeek ? count : Math.Min(count, InitialElements)];
        long filled = 0;
        while (filled < bytes)
        {
            int element = (int)(filled / size);
            if (element == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            }

            int slice = Math.Min(buffer.Length - element, MaxSliceElements);
            Span<byte> free = MemoryMarshal.AsBytes(buffer.AsSpan(element, slice))[(int)(filled % size)..];
            int read = stream.Read(free);
            if (read == 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The data are truncated: {bytes} bytes announced, {filled} present."));
            }

            filled += read;
        }

        return buffer;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The file ends inside {what} ({total} of {buffer.Length} bytes)."));
            }

            total += read;
        }
    }
}
