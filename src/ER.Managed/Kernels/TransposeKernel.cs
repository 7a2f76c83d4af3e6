using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using ER.Managed.Kernels.Drivers;

namespace ER.Managed.Kernels;

/// <summary>
/// Transposes a block of a row-major float matrix into another: <c>dst[c, r] = src[r, c]</c>. The
/// GEMM's packing of <c>Z^T</c> and the Gram's mirror are transposes; done an element at a time
/// they cost 2-3 cycles a float (each store on another cache line), with 4 x 4 register transposes
/// (4 loads, 8 shuffles, 4 stores for 16 floats) a fraction of that. Hand-written because the
/// runtime has no transpose: TensorPrimitives works on one span at a time.
/// </summary>
/// <remarks>
/// Callers choose the order of the blocks (the cache lines read and written should stay in L1
/// while a block is done); this kernel walks a block as 8 x 8 squares, 8 source rows at a time,
/// where the variant has a register transpose of that size (AVX), then as 4 x 4 squares, 4 source
/// rows at a time, then a pair of rows left over as 2 x 4 squares, with element-wise edges.
/// </remarks>
internal static class TransposeKernel
{
    /// <summary>
    /// <c>dst[c dstStride + r] = src[r srcStride + c]</c> for r &lt; rows, c &lt; columns, with this
    /// CPU's variant (<see cref="TransposeDispatch.Best"/>). The regions must not overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose(ref float src, nuint srcStride, ref float dst, nuint dstStride, int rows, int columns) =>
        TransposeDispatch.Transpose(TransposeDispatch.Best, ref src, srcStride, ref dst, dstStride, rows, columns);

    /// <summary>The block as 8 x 8 (where the variant has them) and 4 x 4 squares of variant <typeparamref name="T"/>, element-wise edges.</summary>
    /// <exception cref="PlatformNotSupportedException">The variant does not run on this CPU.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose<T>(ref float src, nuint srcStride, ref float dst, nuint dstStride, int rows, int columns)
        where T : struct, ITransposeSquares
    {
        if (!T.IsSupported)
        {
            throw new PlatformNotSupportedException($"The {typeof(T).Name} transpose does not run on this CPU.");
        }

        int r = 0;
        if (T.HasSquare8)
        {
            for (; r + 8 <= rows; r += 8)
            {
                RowOctet<T>(ref Unsafe.Add(ref src, (nuint)r * srcStride), srcStride, ref Unsafe.Add(ref dst, (nuint)r), dstStride, columns);
            }
        }

        for (; r + 4 <= rows; r += 4)
        {
            RowGroup<T>(ref Unsafe.Add(ref src, (nuint)r * srcStride), srcStride, ref Unsafe.Add(ref dst, (nuint)r), dstStride, 4, columns);
        }

        if (r + 2 <= rows)
        {
            // A pair of rows left over (the GEMM's 6-row A panels leave one in every panel).
            RowGroup<T>(ref Unsafe.Add(ref src, (nuint)r * srcStride), srcStride, ref Unsafe.Add(ref dst, (nuint)r), dstStride, 2, columns);
            r += 2;
        }

        Elementwise(ref Unsafe.Add(ref src, (nuint)r * srcStride), srcStride, ref Unsafe.Add(ref dst, (nuint)r), dstStride, rows - r, columns);
    }

    /// <summary>
    /// <paramref name="height"/> (4 or 2) source rows as 4 x 4 or 2 x 4 squares, element-wise past the
    /// last whole square; inlined with a constant height, so the choice costs nothing in the loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowGroup<T>(ref float source, nuint srcStride, ref float target, nuint dstStride, int height, int columns)
        where T : struct, ITransposeSquares
    {
        int c = 0;
        for (; c + 4 <= columns; c += 4)
        {
            ref float square = ref Unsafe.Add(ref source, (nuint)c);
            ref float columnsTarget = ref Unsafe.Add(ref target, (nuint)c * dstStride);
            if (height == 4)
            {
                T.Transpose(ref square, srcStride, ref columnsTarget, dstStride);
            }
            else
            {
                T.TransposePair(ref square, srcStride, ref columnsTarget, dstStride);
            }
        }

        Elementwise(ref Unsafe.Add(ref source, (nuint)c), srcStride, ref Unsafe.Add(ref target, (nuint)c * dstStride), dstStride, height, columns - c);
    }

    /// <summary>8 source rows as 8 x 8 squares; the columns past the last whole square as two groups of 4 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowOctet<T>(ref float source, nuint srcStride, ref float target, nuint dstStride, int columns)
        where T : struct, ITransposeSquares
    {
        int c = 0;
        for (; c + 8 <= columns; c += 8)
        {
            T.Transpose8(ref Unsafe.Add(ref source, (nuint)c), srcStride, ref Unsafe.Add(ref target, (nuint)c * dstStride), dstStride);
        }

        ref float restSource = ref Unsafe.Add(ref source, (nuint)c);
        ref float restTarget = ref Unsafe.Add(ref target, (nuint)c * dstStride);
        RowGroup<T>(ref restSource, srcStride, ref restTarget, dstStride, 4, columns - c);
        RowGroup<T>(ref Unsafe.Add(ref restSource, 4 * srcStride), srcStride, ref Unsafe.Add(ref restTarget, 4), dstStride, 4, columns - c);
    }

    /// <summary>Stores the two floats of <paramref name="pair"/> at <paramref name="dst"/> (one 64-bit store).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair(ulong pair, ref float dst) => Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref dst), pair);

    private static void Elementwise(ref float src, nuint srcStride, ref float dst, nuint dstStride, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref src, (nuint)r * srcStride);
            for (int c = 0; c < columns; c++)
            {
                Unsafe.Add(ref dst, ((nuint)c * dstStride) + (nuint)r) = Unsafe.Add(ref row, (nuint)c);
            }
        }
    }

    /// <summary>The 4 rows of a 4 x 4 square.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> A, Vector128<float> B, Vector128<float> C, Vector128<float> D) LoadRows(ref float src, nuint srcStride) =>
        (Vector128.LoadUnsafe(ref src), Vector128.LoadUnsafe(ref src, srcStride), Vector128.LoadUnsafe(ref src, 2 * srcStride), Vector128.LoadUnsafe(ref src, 3 * srcStride));

    /// <summary>
    /// One 4 x 4 square: <c>dst[c dstStride + r] = src[r srcStride + c]</c>, r, c &lt; 4; a 2 x 4 one
    /// (r &lt; 2); and, where <see cref="HasSquare8"/>, an 8 x 8 one.
    /// </summary>
    internal interface ITransposeSquares
    {
        static abstract bool IsSupported { get; }

        /// <summary>Whether <see cref="Transpose8"/> is a register transpose of its own; if not, the kernel walks 4 rows at a time and never calls it.</summary>
        static virtual bool HasSquare8 => false;

        static abstract void Transpose(ref float src, nuint srcStride, ref float dst, nuint dstStride);

        static abstract void TransposePair(ref float src, nuint srcStride, ref float dst, nuint dstStride);

        /// <summary>One 8 x 8 square; element by element unless the variant has its own.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static virtual void Transpose8(ref float src, nuint srcStride, ref float dst, nuint dstStride) =>
            Elementwise(ref src, srcStride, ref dst, dstStride, 8, 8);
    }

    internal readonly struct TransposeScalar : ITransposeSquares
    {
        public static bool IsSupported => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Transpose(ref float src, nuint srcStride, ref float dst, nuint dstStride) =>
            Elementwise(ref src, srcStride, ref dst, dstStride, 4, 4);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void TransposePair(ref float src, nuint srcStride, ref float dst, nuint dstStride) =>
            Elementwise(ref src, srcStride, ref dst, dstStride, 2, 4);
    }

    internal readonly struct TransposeSse : ITransposeSquares
    {
        public static bool IsSupported => Sse.IsSupported;

        /// <summary>Rows a, b, c, d: unpacking pairs gives (a0 b0 a1 b1), (a2 b2 a3 b3), (c0 d0 c1 d1), (c2 d2 c3 d3); their halves joined are the columns.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Transpose(ref float src, nuint srcStride, ref float dst, nuint dstStride)
        {
            (Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d) = LoadRows(ref src, srcStride);
            Vector128<float> abLow = Sse.UnpackLow(a, b), abHigh = Sse.UnpackHigh(a, b);
            Vector128<float> cdLow = Sse.UnpackLow(c, d), cdHigh = Sse.UnpackHigh(c, d);
            Sse.MoveLowToHigh(abLow, cdLow).StoreUnsafe(ref dst);
            Sse.MoveHighToLow(cdLow, abLow).StoreUnsafe(ref dst, dstStride);
            Sse.MoveLowToHigh(abHigh, cdHigh).StoreUnsafe(ref dst, 2 * dstStride);
            Sse.MoveHighToLow(cdHigh, abHigh).StoreUnsafe(ref dst, 3 * dstStride);
        }

        /// <summary>Rows a, b: (a0 b0 a1 b1) and (a2 b2 a3 b3), each half a column.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void TransposePair(ref float src, nuint srcStride, ref float dst, nuint dstStride)
        {
            Vector128<float> a = Vector128.LoadUnsafe(ref src), b = Vector128.LoadUnsafe(ref src, srcStride);
            Vector128<ulong> low = Sse.UnpackLow(a, b).AsUInt64(), high = Sse.UnpackHigh(a, b).AsUInt64();
            StorePair(low.ToScalar(), ref dst);
            StorePair(low.GetElement(1), ref Unsafe.Add(ref dst, dstStride));
            StorePair(high.ToScalar(), ref Unsafe.Add(ref dst, 2 * dstStride));
            StorePair(high.GetElement(1), ref Unsafe.Add(ref dst, 3 * dstStride));
        }
    }

    /// <summary>
    /// AVX: 8 x 8 squares in 16 in-lane shuffles, where four 4 x 4 SSE squares take 32 (x86 shuffles
    /// run on one port on most cores, so they bound a transpose whose data is in cache); the 4 x 4 and
    /// 2 x 4 squares as <see cref="TransposeSse"/>.
    /// </summary>
    internal readonly struct TransposeAvx : ITransposeSquares
    {
        public static bool IsSupported => Avx.IsSupported;

        public static bool HasSquare8 => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Transpose(ref float src, nuint srcStride, ref float dst, nuint dstStride) =>
            TransposeSse.Transpose(ref src, srcStride, ref dst, dstStride);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void TransposePair(ref float src, nuint srcStride, ref float dst, nuint dstStride) =>
            TransposeSse.TransposePair(ref src, srcStride, ref dst, dstStride);

        /// <summary>Columns 0-3 of the 8 rows, then columns 4-7.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Transpose8(ref float src, nuint srcStride, ref float dst, nuint dstStride)
        {
            ref float lower = ref Unsafe.Add(ref src, 4 * srcStride);
            FourColumns(ref src, ref lower, srcStride, ref dst, dstStride);
            FourColumns(ref Unsafe.Add(ref src, 4), ref Unsafe.Add(ref lower, 4), srcStride, ref Unsafe.Add(ref dst, 4 * dstStride), dstStride);
        }

        /// <summary>
        /// Four columns of 8 rows: register r holds 4 floats of row r in its low lane and of row r + 4
        /// in its high lane (a load and an insert, no cross-lane shuffle), so the SSE 4 x 4 square's
        /// unpacks and shuffles, done in both lanes at once, leave a whole column of 8 in each register.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void FourColumns(ref float upper, ref float lower, nuint srcStride, ref float dst, nuint dstStride)
        {
            Vector256<float> a = Vector256.Create(Vector128.LoadUnsafe(ref upper), Vector128.LoadUnsafe(ref lower));
            Vector256<float> b = Vector256.Create(Vector128.LoadUnsafe(ref upper, srcStride), Vector128.LoadUnsafe(ref lower, srcStride));
            Vector256<float> c = Vector256.Create(Vector128.LoadUnsafe(ref upper, 2 * srcStride), Vector128.LoadUnsafe(ref lower, 2 * srcStride));
            Vector256<float> d = Vector256.Create(Vector128.LoadUnsafe(ref upper, 3 * srcStride), Vector128.LoadUnsafe(ref lower, 3 * srcStride));
            Vector256<float> abLow = Avx.UnpackLow(a, b), abHigh = Avx.UnpackHigh(a, b);
            Vector256<float> cdLow = Avx.UnpackLow(c, d), cdHigh = Avx.UnpackHigh(c, d);

            // 0x44 takes the low pair of each operand's lane, 0xEE the high pair: (a0 b0 | c0 d0), (a1 b1 | c1 d1).
            Avx.Shuffle(abLow, cdLow, 0x44).StoreUnsafe(ref dst);
            Avx.Shuffle(abLow, cdLow, 0xEE).StoreUnsafe(ref dst, dstStride);
            Avx.Shuffle(abHigh, cdHigh, 0x44).StoreUnsafe(ref dst, 2 * dstStride);
            Avx.Shuffle(abHigh, cdHigh, 0xEE).StoreUnsafe(ref dst, 3 * dstStride);
        }
    }

    internal readonly struct TransposeAdvSimd : ITransposeSquares
    {
        public static bool IsSupported => AdvSimd.Arm64.IsSupported;

        /// <summary>As the SSE form: zips of 32-bit lanes pair the rows, zips of 64-bit lanes join the pairs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Transpose(ref float src, nuint srcStride, ref float dst, nuint dstStride)
        {
            (Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d) = LoadRows(ref src, srcStride);
            Vector128<double> abLow = AdvSimd.Arm64.ZipLow(a, b).AsDouble(), abHigh = AdvSimd.Arm64.ZipHigh(a, b).AsDouble();
            Vector128<double> cdLow = AdvSimd.Arm64.ZipLow(c, d).AsDouble(), cdHigh = AdvSimd.Arm64.ZipHigh(c, d).AsDouble();
            AdvSimd.Arm64.ZipLow(abLow, cdLow).AsSingle().StoreUnsafe(ref dst);
            AdvSimd.Arm64.ZipHigh(abLow, cdLow).AsSingle().StoreUnsafe(ref dst, dstStride);
            AdvSimd.Arm64.ZipLow(abHigh, cdHigh).AsSingle().StoreUnsafe(ref dst, 2 * dstStride);
            AdvSimd.Arm64.ZipHigh(abHigh, cdHigh).AsSingle().StoreUnsafe(ref dst, 3 * dstStride);
        }

        /// <summary>As the SSE form: zips of 32-bit lanes pair the rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void TransposePair(ref float src, nuint srcStride, ref float dst, nuint dstStride)
        {
            Vector128<float> a = Vector128.LoadUnsafe(ref src), b = Vector128.LoadUnsafe(ref src, srcStride);
            Vector128<ulong> low = AdvSimd.Arm64.ZipLow(a, b).AsUInt64(), high = AdvSimd.Arm64.ZipHigh(a, b).AsUInt64();
            StorePair(low.ToScalar(), ref dst);
            StorePair(low.GetElement(1), ref Unsafe.Add(ref dst, dstStride));
            StorePair(high.ToScalar(), ref Unsafe.Add(ref dst, 2 * dstStride));
            StorePair(high.GetElement(1), ref Unsafe.Add(ref dst, 3 * dstStride));
        }
    }
}
