namespace ER.Managed;

/// <summary>Which views' entropies the ER loss averages (<see cref="ErLoss.EntropyOf"/>).</summary>
public enum EntropyView
{
    /// <summary>The mean over all views (the default; for two views, the mean of both).</summary>
    Mean = 0,

    /// <summary>View 1's entropy only.</summary>
    View1 = 1,

    /// <summary>View 2's entropy only.</summary>
    View2 = 2,

    /// <summary>The mean over the first <see cref="ErLoss.GlobalViews"/> views (multi-crop: the global crops).</summary>
    Global = 3,
}
