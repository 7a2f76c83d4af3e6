namespace ER.Managed.Mpi.Mpi;

/// <summary>MPI could not be loaded or a call failed; the message is one line fit for the user.</summary>
internal sealed class MpiException : Exception
{
    public MpiException(string message)
        : base(message)
    {
    }

    public MpiException()
    {
    }

    public MpiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
