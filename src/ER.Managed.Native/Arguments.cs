namespace ER.Managed.Native;

/// <summary>C pointers and sizes turned into spans, each refused with its C name when it cannot be one.</summary>
internal static unsafe class Arguments
{
    /// <summary>rows x columns as an int element count: each at least 1, the product at most <see cref="Array.MaxLength"/>.</summary>
    internal static int Count(long rows, long columns)
    {
        if (rows < 1)
        {
            throw new ArgumentException($"rows is {rows}; it must be at least 1.", nameof(rows));
        }

        if (columns < 1)
        {
            throw new ArgumentException($"columns is {columns}; it must be at least 1.", nameof(columns));
        }

        // rows x columns > max exactly when rows > floor(max / columns); the product itself could
        // overflow a long.
        if (rows > Array.MaxLength / columns)
        {
            throw new ArgumentException($"rows x columns is {rows} x {columns}, more than one buffer of this library holds ({Array.MaxLength} elements).", nameof(rows));
        }

        return (int)(rows * columns);
    }

    internal static ReadOnlySpan<float> In(float* pointer, int count, string name) =>
        pointer is null ? throw Null(name) : new ReadOnlySpan<float>(pointer, count);

    internal static ReadOnlySpan<double> In(double* pointer, int count, string name) =>
        pointer is null ? throw Null(name) : new ReadOnlySpan<double>(pointer, count);

    internal static Span<float> Out(float* pointer, int count, string name) =>
        pointer is null ? throw Null(name) : new Span<float>(pointer, count);

    /// <summary>An output scalar: it must be given.</summary>
    internal static void Required(void* pointer, string name)
    {
        if (pointer is null)
        {
            throw Null(name);
        }
    }

    /// <summary>An optional output array of <paramref name="count"/> doubles (NULL: not wanted).</summary>
    internal static Span<double> Optional(double* pointer, int count) => pointer is null ? default : new Span<double>(pointer, count);

    /// <summary>A count of elements that must fit an int.</summary>
    internal static int Length(long count, string name) =>
        count >= 0 && count <= Array.MaxLength ? (int)count : throw new ArgumentException($"{name} is {count}; it must lie in [0, {Array.MaxLength}].", name);

    /// <summary>The sphere estimator codes of er_managed.h (ER_ESTIMATOR_PLUGIN, _JOE, _LEAVE_ONE_OUT).</summary>
    internal static EntropyReduction SphereEstimator(int estimator) => estimator switch
    {
        0 => EntropyReduction.Expectation,
        1 => EntropyReduction.Average,
        2 => EntropyReduction.LeaveOneOut,
        _ => throw new ArgumentException($"estimator is {estimator}; use ER_ESTIMATOR_PLUGIN (0), ER_ESTIMATOR_JOE (1) or ER_ESTIMATOR_LEAVE_ONE_OUT (2).", nameof(estimator)),
    };

    /// <summary>The discrete reduction codes (ER_REDUCTION_EXPECTATION, _AVERAGE).</summary>
    internal static EntropyReduction DiscreteReduction(int reduction) => reduction switch
    {
        0 => EntropyReduction.Expectation,
        1 => EntropyReduction.Average,
        _ => throw new ArgumentException($"reduction is {reduction}; use ER_REDUCTION_EXPECTATION (0) or ER_REDUCTION_AVERAGE (1).", nameof(reduction)),
    };

    private static ArgumentException Null(string name) => new($"{name} is NULL.", name);
}
