namespace ER.Managed.Estimation;

/// <summary>How <see cref="KappaSelection"/> chose a kernel concentration.</summary>
public enum KappaSelectionMethod
{
    /// <summary>The maximizer of the leave-one-out log-likelihood of the vMF kernel density (likelihood cross-validation).</summary>
    LeaveOneOut = 0,

    /// <summary>García-Portugués's (2013) rule of thumb: the AMISE-optimal concentration were the data one vMF.</summary>
    RuleOfThumb = 1,
}
