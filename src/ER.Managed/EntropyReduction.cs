namespace ER.Managed;

/// <summary>
/// How the per-sample terms of an entropy estimate are reduced to one number, i.e. which
/// estimator. For the sphere, with <c>l_i = c + log k - LSE_i</c> (= -log p_hat(z_i)) from
/// <c>LSE_i = log sum_j exp(kappa z_i.z_j)</c>.
/// </summary>
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

    /// <summary>
    /// Joe's leave-one-out estimator, sphere only (k &gt;= 2): each sample's density from the other
    /// k - 1, <c>H = (1/k) sum_i (c + log(k - 1) - log sum_{j != i} exp(kappa z_i.z_j))</c>. Unlike the
    /// plug-in and Joe's estimators it has no <c>c - kappa + log k</c> ceiling when the kernel is narrow,
    /// so it keeps measuring spread where they saturate: the estimator to train with. Where all of a
    /// row's other terms are far below its self-pair (a large kappa), the row's log-sum-exp is taken
    /// about its own largest term, so it stays exact (the kappa -&gt; infinity limit: the nearest other
    /// row dominates).
    /// </summary>
    LeaveOneOut = 2,
}
