using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ER.Managed.Kernels;

/// <summary>
/// The one tail style of the hand-written kernels, float and double alike: the last, short register
/// of a span is loaded through a register-sized stack buffer whose other lanes hold a filler, runs
/// the same arithmetic as a full register, and only its valid lanes are stored back. The filler is
/// the operator's neutral value (<see cref="LoadPartial{TSimd, TVec, T}"/>: 0 for a sum, -inf for a
/// maximum) or, where no value is neutral, a copy of the last valid lane
/// (<see cref="LoadPartialRepeatingLast{TSimd, TVec, T}"/>: the vMF kernel's iterative Bessel
/// lanes then take no more iterations than a real lane). Where a kernel may read past the end of
/// its data (the tiles' padded rows) it masks lanes instead and needs neither.
/// </summary>
internal static class SimdTail
{
    /// <summary>
    /// Loads the <paramref name="length"/> (&lt; Count) lanes at <paramref name="source"/> + <paramref name="offset"/>
    /// into a register whose other lanes hold <paramref name="fill"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LoadPartial<TSimd, TVec, T>(ref T source, nuint offset, int length, T fill)
        where TSimd : struct, ISimdLanes<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        Span<T> buffer = stackalloc T[TSimd.Count];
        buffer.Fill(fill);
        for (int i = 0; i < length; i++)
        {
            buffer[i] = Unsafe.Add(ref source, offset + (nuint)i);
        }

        return TSimd.Load(ref MemoryMarshal.GetReference(buffer), 0);
    }

    /// <summary>
    /// Loads the <paramref name="length"/> (1 to Count) lanes at <paramref name="source"/> + <paramref name="offset"/>
    /// into a register whose other lanes repeat the last of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVec LoadPartialRepeatingLast<TSimd, TVec, T>(ref T source, nuint offset, int length)
        where TSimd : struct, ISimdLanes<TVec, T>
        where TVec : struct
        where T : unmanaged => LoadPartial<TSimd, TVec, T>(ref source, offset, length, Unsafe.Add(ref source, offset + (nuint)(length - 1)));

    /// <summary>Stores the first <paramref name="length"/> (&lt; Count) lanes of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePartial<TSimd, TVec, T>(TVec value, ref T destination, nuint offset, int length)
        where TSimd : struct, ISimdLanes<TVec, T>
        where TVec : struct
        where T : unmanaged
    {
        Span<T> buffer = stackalloc T[TSimd.Count];
        TSimd.Store(value, ref MemoryMarshal.GetReference(buffer), 0);
        for (int i = 0; i < length; i++)
        {
            Unsafe.Add(ref destination, offset + (nuint)i) = buffer[i];
        }
    }
}
