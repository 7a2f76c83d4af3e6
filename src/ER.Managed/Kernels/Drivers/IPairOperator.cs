namespace ER.Managed.Kernels.Drivers;

/// <summary>
/// A term <c>t(x, y)</c> of two aligned spans summed by <see cref="PairDriver"/>, optionally with two
/// element-wise outputs computed from the same intermediate values (a value and its gradients in one pass).
/// </summary>
internal interface IPairOperator
{
    /// <summary>Whether <see cref="Invoke{TSimd, TVec}"/>'s outputs are stored (false: only the sum is wanted).</summary>
    bool WritesOutputs { get; }

    /// <summary>
    /// Returns <paramref name="sum"/> plus the lanes' terms (the operator owns the order of that
    /// addition, so two operators that share it give the same sum bit for bit) and sets the outputs.
    /// Padding lanes hold 0 in both inputs and their term must add 0.
    /// </summary>
    TVec Invoke<TSimd, TVec>(TVec x, TVec y, TVec sum, out TVec first, out TVec second)
        where TSimd : struct, ISimd<TVec>
        where TVec : struct;
}
