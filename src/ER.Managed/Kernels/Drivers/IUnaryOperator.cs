namespace ER.Managed.Kernels.Drivers;

/// <summary>
/// An element-wise function <c>f(x)</c> for the drivers (<see cref="MapDriver"/>, <see cref="ReduceDriver"/>):
/// one generic body that each SIMD width instantiates, as System.Numerics.Tensors' operators do
/// (there one body per width; here <see cref="ISimd{TVec}"/> makes them one).
/// </summary>
internal interface IUnaryOperator
{
    /// <summary>
    /// What the lanes past the end of the last, partial register hold: a value whose image is
    /// finite and, where the driver sums images, adds nothing (0 for the identity, -inf for an
    /// exponential with a positive scale).
    /// </summary>
    float Padding { get; }

    /// <summary>f of each lane.</summary>
    TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct;
}
