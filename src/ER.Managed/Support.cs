namespace ER.Managed;

/// <summary>Where the embeddings live: on the unit sphere (vMF kernel) or on the probability simplex.</summary>
public enum Support
{
    /// <summary>Unit vectors; raw outputs are L2-normalized.</summary>
    Sphere = 0,

    /// <summary>Probability vectors; raw outputs go through a softmax with temperature.</summary>
    Discrete = 1,
}
