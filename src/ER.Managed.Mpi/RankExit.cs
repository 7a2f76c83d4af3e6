namespace ER.Managed.Mpi;

/// <summary>Every rank stops with <see cref="Code"/>: the ranks that failed have already said why.</summary>
internal sealed class RankExit : Exception
{
    public RankExit(int code)
        : base($"exit {code}")
    {
        Code = code;
    }

    public RankExit()
    {
    }

    public RankExit(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The exit code.</summary>
    internal int Code { get; }
}
