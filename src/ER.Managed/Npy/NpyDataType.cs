namespace ER.Managed.Npy;

/// <summary>The element types this library reads and writes in .npy files.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "NumPy's own names for these dtypes.")]
public enum NpyDataType
{
    /// <summary>Little-endian IEEE float32, descr <c>'&lt;f4'</c>.</summary>
    Float32 = 4,

    /// <summary>Little-endian IEEE float64, descr <c>'&lt;f8'</c>.</summary>
    Float64 = 8,
}
