using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using ER.Managed.Npy;

namespace ER.Managed.Tests;

/// <summary>
/// The .npy reader and writer at their edges: the header parser's syntax and each of its messages,
/// limits taken exactly, streams that cannot seek, conversions both ways. (Written against the
/// mutants that the other .npy tests left alive.)
/// </summary>
public sealed class NpyEdgeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-npy-edge-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A stream that cannot seek or report its length, as a pipe.</summary>
    private sealed class PipeStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static InvalidDataException Refused(string header, float[]? data = null) =>
        Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(NpyFileTests.Build(header, 1, data ?? [1f, 2f]))));

    [Theory]
    [InlineData("{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , ) , }")]
    [InlineData("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}")]
    [InlineData("{'descr': '=f4', 'fortran_order': False, 'shape': (1, 2)}")]
    public void Python_literal_spellings_are_read(string header)
    {
        NpyArray array = NpyFile.Read(new MemoryStream(NpyFileTests.Build(header, 1, [1f, 2f])));
        Assert.Equal(new[] { 1f, 2f }, array.ToSingleArray());
    }

    [Theory]
    [InlineData("{'fortran_order': False, 'shape': (2,), }", "the header has no 'descr' string")]
    [InlineData("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", "Unsupported dtype '>f8': big-endian")]
    [InlineData("{'descr':", "a value is missing")]
    [InlineData("{'descr': '<f\\4', 'fortran_order': False, 'shape': (2,), }", "escapes in strings are not supported")]
    [InlineData("{'descr': '<f4", "a string is not closed")]
    [InlineData("{descr: '<f4'}", "a quoted string is expected")]
    [InlineData("{'descr': '<f4'", "expected '}', found the end")]
    [InlineData("{'descr': '<f4' 'x'}", "expected '}', found '''")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1234567890123456789,), }", "the shape entry 1234567890123456789 is too large")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (123456789012345678,), }", "Dimension 123456789012345678 of shape")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000,), }", "Dimension 3000000000 of shape (3000000000) is too large")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2000000000, 2000000000), }", "Shape (2000000000, 2000000000) has more elements than an array can hold")]
    public void Each_malformed_header_names_what_is_wrong(string header, string expected)
    {
        Assert.Contains(expected, Refused(header).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_malformed_header_is_quoted_up_to_120_characters()
    {
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': " + new string('y', 200);
        string message = Refused(header).Message;
        Assert.EndsWith("...", message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('y', 100), message, StringComparison.Ordinal);
        string shortHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1";
        Assert.EndsWith("'x': 1", Refused(shortHeader).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_rank_and_header_are_taken_exactly()
    {
        int[] shape = [.. Enumerable.Repeat(1, 32)];
        using var stream = new MemoryStream();
        NpyFile.Write(stream, new float[] { 7f }, shape);
        stream.Position = 0;
        Assert.Equal(shape, NpyFile.Read(stream).Shape);
        Assert.Throws<ArgumentException>(() => NpyFile.Write(new MemoryStream(), new float[] { 7f }, [.. Enumerable.Repeat(1, 33)]));

        // A version 2.0 header of exactly MaxHeaderLength bytes is read; one more byte is refused.
        foreach (int extra in new[] { 0, 1 })
        {
            string dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
            string header = dictionary + new string(' ', NpyFile.MaxHeaderLength + extra - dictionary.Length - 1) + "\n";
            var bytes = new MemoryStream();
            bytes.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0]);
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
            bytes.Write(length);
            bytes.Write(Encoding.Latin1.GetBytes(header));
            bytes.Write(new byte[8]);
            bytes.Position = 0;
            if (extra == 0)
            {
                Assert.Equal(2, NpyFile.Read(bytes).Length);
            }
            else
            {
                Assert.Contains($"The header length {NpyFile.MaxHeaderLength + 1} exceeds", Assert.Throws<InvalidDataException>(() => NpyFile.Read(bytes)).Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Truncations_say_how_many_bytes_were_needed_and_found()
    {
        byte[] good = NpyFileTests.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }", 1, [1f, 2f]);
        Assert.Contains("needs 400 bytes, the file has 8", Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(good))).Message, StringComparison.Ordinal);

        byte[] headerCut = good[..20];
        Assert.Contains("runs past the end of the file (10 bytes left)", Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(headerCut))).Message, StringComparison.Ordinal);

        // Through a pipe nothing is known in advance: each read says what it was reading.
        Assert.Contains("the magic string and version", Assert.ThrowsAny<Exception>(() => NpyFile.Read(new PipeStream(good[..5]))).Message, StringComparison.Ordinal);
        Assert.Contains("the header length", Assert.ThrowsAny<Exception>(() => NpyFile.Read(new PipeStream(good[..9]))).Message, StringComparison.Ordinal);
        Assert.Contains("the header", Assert.ThrowsAny<Exception>(() => NpyFile.Read(new PipeStream(good[..40]))).Message, StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => NpyFile.Read(new PipeStream(good)));
    }

    [Fact]
    public void A_large_array_arrives_through_a_pipe_whole()
    {
        float[] data = [.. Enumerable.Range(0, 100_000).Select(i => i * 0.5f)];
        using var stream = new MemoryStream();
        NpyFile.Write(stream, data, [100, 1000]);
        NpyArray array = NpyFile.Read(new PipeStream(stream.ToArray()));
        Assert.Equal(new[] { 100, 1000 }, array.Shape);
        Assert.Equal(data, array.ToSingleArray());
    }

    [Fact]
    public void Files_say_what_follows_their_data_and_refuse_folders_and_empty_paths()
    {
        string path = Path.Combine(_folder, "x.npy");
        NpyFile.Write(path, new float[] { 1, 2, 3 }, [3]);
        File.AppendAllText(path, "abc");
        Assert.Contains("The file has 3 bytes after the data", Assert.Throws<InvalidDataException>(() => NpyFile.Read(path)).Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", Assert.Throws<IOException>(() => NpyFile.Read(_folder)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => NpyFile.Read(string.Empty));
        Assert.Throws<ArgumentNullException>(() => NpyFile.Read((Stream)null!));
        Assert.Throws<ArgumentNullException>(() => NpyFile.Write((Stream)null!, new float[1], [1]));
        Assert.Throws<ArgumentNullException>(() => NpyFile.Write((Stream)null!, new double[1], [1]));
        Assert.Throws<ArgumentException>(() => NpyFile.Write(string.Empty, new float[1], [1]));
        Assert.Contains("The shape (2, 2) holds 4 elements, the data 6", Assert.Throws<ArgumentException>(() => NpyFile.Write(new MemoryStream(), new float[6], [2, 2])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_whose_element_count_wraps_a_64_bit_product_is_refused_and_an_empty_dimension_reads_back()
    {
        // 65536^4 = 2^64 is 0 in a long: multiplied naively it matched empty data and wrote a file
        // that no reader (ours included) accepts. An empty dimension makes an empty array however
        // large the others, as numpy has it (the reader refused that shape before).
        var stream = new MemoryStream();
        string message = Assert.Throws<ArgumentException>(() => NpyFile.Write(stream, ReadOnlySpan<float>.Empty, [65536, 65536, 65536, 65536])).Message;
        Assert.Contains("holds more than 2147483647 elements, the data 0", message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
        Assert.Throws<ArgumentException>(() => NpyFile.Write(new MemoryStream(), new double[1], [65536, 65536, 65536, 65536, 1]));
        NpyFile.Write(stream, ReadOnlySpan<float>.Empty, [65536, 65536, 0, 65536, 65536]);
        stream.Position = 0;
        Assert.Equal([65536, 65536, 0, 65536, 65536], NpyFile.Read(stream).Shape.ToArray());
    }

    [Fact]
    public void Headers_are_written_as_numpy_writes_them()
    {
        foreach ((int[] shape, string text) in new[] { (Array.Empty<int>(), "'shape': ()"), (new[] { 3 }, "'shape': (3,)"), (new[] { 1, 3 }, "'shape': (1, 3)") })
        {
            using var stream = new MemoryStream();
            NpyFile.Write(stream, new double[shape.Aggregate(1, (a, b) => a * b)], shape);
            string header = Encoding.Latin1.GetString(stream.ToArray(), 10, BinaryPrimitives.ReadUInt16LittleEndian(stream.ToArray().AsSpan(8)));
            Assert.Contains("{'descr': '<f8', 'fortran_order': False, " + text + ", }", header, StringComparison.Ordinal);
            Assert.Equal(0, (10 + header.Length) % 64);
        }
    }

    [Fact]
    public void Arrays_convert_both_ways_and_know_their_shape()
    {
        using var f8 = new MemoryStream();
        NpyFile.Write(f8, new[] { 0.5, -2.0, double.PositiveInfinity, double.NaN, 1e-300 }, [5]);
        f8.Position = 0;
        NpyArray wide = NpyFile.Read(f8);
        Assert.Equal(5, wide.Length);
        Assert.Equal("npy <f8 (5)", wide.ToString());
        Assert.Equal(new[] { 0.5f, -2f, float.PositiveInfinity, float.NaN, 0f }, wide.ToSingleArray());

        using var f4 = new MemoryStream();
        NpyFile.Write(f4, new[] { 0.1f, -3f }, [2]);
        f4.Position = 0;
        NpyArray narrow = NpyFile.Read(f4);
        Assert.Equal("npy <f4 (2)", narrow.ToString());
        Assert.Equal(new[] { (double)0.1f, -3.0 }, narrow.ToDoubleArray());

        using var cube = new MemoryStream();
        NpyFile.Write(cube, new float[8], [2, 2, 2]);
        cube.Position = 0;
        NpyArray three = NpyFile.Read(cube);
        Assert.Contains("shape (2, 2, 2): 3 dimensions", Assert.Throws<InvalidOperationException>(() => three.Rows).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => three.Columns);

        using var scalar = new MemoryStream();
        NpyFile.Write(scalar, new float[] { 4f }, []);
        scalar.Position = 0;
        NpyArray one = NpyFile.Read(scalar);
        Assert.Equal((1, 1), (one.Rows, one.Columns));
        Assert.Equal([1], one.ToTensor().Lengths.ToArray());
    }
}
