namespace ER.Managed;

/// <summary>How the per-sample terms of an entropy estimate are reduced to one number.</summary>
public enum EntropyReduction
{
    /// <summary>
    /// The plug-in estimator (the default). Sphere: <c>H = sum_i w_i l_i</c> with <c>w = softmax(-l)</c>
    /// (w is not detached). Discrete: <c>H = -sum_c m_c log(m_c + eps)</c>.
    /// </summary>
    Expectation = 0,

    /// <summary>
    /// The resubstitution ("Joe's") estimator. Sphere: <c>H = (1/k) sum_i l_i</c>. Discrete:
    /// <c>H = -(1/d) sum_c log(m_c + eps)</c>, a cross-entropy from the uniform distribution (at least log d).
    /// </summary>
    Average = 1,
}
