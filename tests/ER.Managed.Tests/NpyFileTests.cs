using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using ER.Managed.Npy;

namespace ER.Managed.Tests;

public sealed class NpyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("er-npy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(new[] { 3, 4 })]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { 7 })]
    [InlineData(new[] { 0, 5 })]
    public void Float32_and_float64_round_trip_through_files(int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        float[] singles = Enumerable.Range(0, count).Select(i => (i * 0.37f) - 1e-20f).ToArray();
        double[] doubles = Enumerable.Range(0, count).Select(i => Math.PI * i * 1e-300).ToArray();
        string a = Path.Combine(_folder, "a.npy"), b = Path.Combine(_folder, "b.npy");
        NpyFile.Write(a, singles, shape);
        NpyFile.Write(b, doubles, shape);

        NpyArray readA = NpyFile.Read(a), readB = NpyFile.Read(b);
        Assert.Equal(NpyDataType.Float32, readA.DataType);
        Assert.Equal(NpyDataType.Float64, readB.DataType);
        Assert.Equal(shape, readA.Shape);
        Assert.Equal(shape, readB.Shape);
        Assert.Equal(singles, readA.ToSingleArray());
        Assert.Equal(doubles, readB.ToDoubleArray());
        Assert.Equal(shape.Length == 2 ? shape[0] : 1, readA.Rows);
        Assert.Equal(shape[^1], readA.Columns);

        // The data start on a 64-byte boundary, as NumPy writes them.
        Assert.Equal(0, (new FileInfo(a).Length - (count * 4)) % 64);
    }

    [Fact]
    public void Reads_the_golden_files_written_by_numpy()
    {
        NpyArray z = NpyFile.Read(GoldenData.PathOf("sphere_z_k7_d1.npy"));
        Assert.Equal(new[] { 7, 1 }, z.Shape);
        Assert.All(z.ToSingleArray(), v => Assert.Equal(1f, Math.Abs(v)));
        NpyArray g = NpyFile.Read(GoldenData.PathOf("grad_entropy_sphere_average_exact_k2_d2_kappa0.5.npy"));
        Assert.Equal(NpyDataType.Float64, g.DataType);
    }

    [Fact]
    public void Version_2_headers_and_non_seekable_streams_are_read()
    {
        byte[] v2 = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 2, Enumerable.Range(0, 6).Select(i => (float)i).ToArray());
        using var stream = new NonSeekableStream(v2);
        NpyArray array = NpyFile.Read(stream);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, array.ToSingleArray());
    }

    [Fact]
    public void Float64_beyond_float32_range_is_refused_on_conversion()
    {
        string path = Path.Combine(_folder, "big.npy");
        NpyFile.Write(path, new double[] { 1.0, 1e300 }, [2]);
        Assert.Throws<OverflowException>(() => NpyFile.Read(path).ToSingleArray());
    }

    [Theory]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", "Unsupported dtype '<i4'")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", "big-endian")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", "Fortran-order")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2), }", "33 dimensions (at most 32)")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", "no 'shape'")]
    [InlineData("{'descr': '<f4', 'shape': (2,), }", "no 'fortran_order'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "expected '}'")]
    [InlineData("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", "unexpected 'M'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "not a non-negative integer")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "too large")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2000000000, 2000000000), }", "more elements")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }", "truncated")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "appears twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", "text follows")]
    public void Malformed_or_unsupported_headers_are_refused_with_what_was_found(string header, string expected)
    {
        byte[] bytes = Build(header, 1, [1f, 2f]);
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(bytes)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_magic_unsupported_version_and_short_files_are_refused()
    {
        byte[] good = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 1, [1f, 2f]);

        byte[] magic = (byte[])good.Clone();
        magic[1] = (byte)'X';
        Assert.Contains("Not a .npy file", Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(magic))).Message, StringComparison.Ordinal);

        byte[] version = (byte[])good.Clone();
        version[6] = 3;
        Assert.Contains("version 3.0", Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(version))).Message, StringComparison.Ordinal);

        Assert.Contains("ends inside", Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(good[..5]))).Message, StringComparison.Ordinal);

        byte[] longHeader = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(longHeader.AsSpan(8), 60000);
        Assert.Contains("runs past the end", Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(longHeader))).Message, StringComparison.Ordinal);

        byte[] hugeHeader = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 2, [1f, 2f]);
        BinaryPrimitives.WriteUInt32LittleEndian(hugeHeader.AsSpan(8), 1u << 30);
        Assert.Contains("exceeds", Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(hugeHeader))).Message, StringComparison.Ordinal);

        string trailing = Path.Combine(_folder, "trailing.npy");
        File.WriteAllBytes(trailing, [.. good, 0, 0, 0, 0]);
        Assert.Contains("after the data", Assert.Throws<InvalidDataException>(() => NpyFile.Read(trailing)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_data_on_a_non_seekable_stream_is_refused_without_a_huge_allocation()
    {
        // The header announces 500 million floats (2 GB); the stream holds two.
        byte[] bytes = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (500000000,), }", 1, [1f, 2f]);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(new NonSeekableStream(bytes)));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Writing_checks_the_shape()
    {
        string path = Path.Combine(_folder, "x.npy");
        Assert.Throws<ArgumentException>(() => NpyFile.Write(path, new float[6], [2, 2]));
        Assert.Throws<ArgumentException>(() => NpyFile.Write(path, new float[8], [2, 2, 3]));
        Assert.Throws<ArgumentException>(() => NpyFile.Write(path, new float[1], new int[33].Select(_ => 1).ToArray()));
        Assert.Throws<ArgumentException>(() => NpyFile.Write(path, Array.Empty<float>(), [-1, 0]));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    /// <summary>Builds a .npy byte image with the given header text (padded as NumPy does) and float32 data.</summary>
    internal static byte[] Build(string header, int version, float[] data)
    {
        int lengthBytes = version == 1 ? 2 : 4;
        int unpadded = 8 + lengthBytes + header.Length + 1;
        string padded = header + new string(' ', (64 - (unpadded % 64)) % 64) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        Span<byte> length = stackalloc byte[lengthBytes];
        if (version == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)padded.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)padded.Length);
        }

        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(padded));
        Span<byte> b = stackalloc byte[4];
        foreach (float v in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            stream.Write(b);
        }

        return stream.ToArray();
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
