namespace ER.Managed;

/// <summary>Which view's entropy the ER loss uses.</summary>
public enum EntropyView
{
    /// <summary>The mean of both views' entropies (the default).</summary>
    Mean = 0,

    /// <summary>View 1's entropy only.</summary>
    View1 = 1,

    /// <summary>View 2's entropy only.</summary>
    View2 = 2,
}
