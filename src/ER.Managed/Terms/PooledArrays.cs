using System.Buffers;

namespace ER.Managed.Terms;

/// <summary>Arrays of the shared pool that a state rents only when it needs them.</summary>
internal static class PooledArrays
{
    /// <summary>Returns <paramref name="array"/> to the shared pool, if it was rented (null otherwise).</summary>
    internal static void ReturnIfRented<T>(T[]? array)
    {
        if (array is not null)
        {
            ArrayPool<T>.Shared.Return(array);
        }
    }
}
