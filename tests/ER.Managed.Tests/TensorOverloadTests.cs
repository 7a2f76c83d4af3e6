using System.Buffers;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using ER.Managed.Npy;

namespace ER.Managed.Tests;

/// <summary>
/// Every tensor overload against its span twin: the same value, the same gradients (bit for bit:
/// the tensor overloads read dense tensors in place and call the span code) and the same
/// exceptions; and tensors the overloads must refuse (other ranks, strided views, other shapes).
/// </summary>
public sealed class TensorOverloadTests : IDisposable
{
    private const int K = 37, D = 19;
    private readonly string _folder = Directory.CreateTempSubdirectory("er-tensors-").FullName;
    private readonly float[] _z = Unit(K, D, 1);
    private readonly float[] _z2 = Unit(K, D, 2);
    private readonly float[] _p = Probabilities(K, D, 3);
    private readonly float[] _p2 = Probabilities(K, D, 4);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static float[] Unit(int k, int d, int seed)
    {
        float[] x = TestData.Normal(k * d, seed);
        RowOps.L2Normalize(x, k, d, x);
        return x;
    }

    private static float[] Probabilities(int k, int d, int seed)
    {
        float[] x = TestData.Normal(k * d, seed);
        RowOps.Softmax(x, k, d, x);
        return x;
    }

    private static Tensor<float> T(float[] data, int rows = K, int columns = D) => Tensor.Create(data, [rows, columns]);

    private static Tensor<float> Zeros(int rows = K, int columns = D) => Tensor.Create(new float[rows * columns], [rows, columns]);

    private static float[] Flat(Tensor<float> t)
    {
        var data = new float[t.FlattenedLength];
        t.FlattenTo(data);
        return data;
    }

    [Fact]
    public void Entropy_overloads_equal_their_span_twins()
    {
        Assert.Equal(Entropy.Sphere(_z, K, D, 7, EntropyReduction.Average), Entropy.Sphere(T(_z), 7, EntropyReduction.Average));
        Assert.Equal(Entropy.Discrete(_p, K, D), Entropy.Discrete(T(_p)));
        Assert.Equal(Entropy.SphereLeaveOneOut(_z, K, D, 5), Entropy.SphereLeaveOneOut(T(_z), 5));
        Assert.Equal(Entropy.Sphere(_z, K, D, 5, EntropyReduction.LeaveOneOut), Entropy.Sphere(T(_z), 5, EntropyReduction.LeaveOneOut));
        Assert.Equal(Entropy.SphereKnn(_z, K, D, 3), Entropy.SphereKnn(T(_z), 3));

        var gradient = new float[K * D];
        SphereTermResult spans = Entropy.SphereWithGradient(_z, K, D, gradient, 12);
        Tensor<float> gradientTensor = Zeros();
        SphereTermResult tensors = Entropy.SphereWithGradient(T(_z), gradientTensor, 12);
        Assert.Equal(spans, tensors);
        Assert.Equal(gradient, Flat(gradientTensor));

        TermGradients allocated = Entropy.SphereWithGradient(T(_z), 12);
        Assert.Equal(spans.Value, allocated.Value);
        Assert.Equal(gradient, Flat(allocated.GradientTensor));
        Assert.Equal([K, D], allocated.GradientTensor.Lengths.ToArray());
        Assert.Null(allocated.GradientBTensor);

        double discrete = Entropy.DiscreteWithGradient(_p, K, D, gradient);
        gradientTensor = Zeros();
        Assert.Equal(discrete, Entropy.DiscreteWithGradient(T(_p), gradientTensor));
        Assert.Equal(gradient, Flat(gradientTensor));
        Assert.Equal(gradient, Entropy.DiscreteWithGradient(T(_p)).Gradient);
    }

    [Fact]
    public void Reconstruction_overloads_equal_their_span_twins()
    {
        Assert.Equal(Reconstruction.Sphere(_z, _z2, K, D, 3), Reconstruction.Sphere(T(_z), T(_z2), 3));
        Assert.Equal(Reconstruction.Discrete(_p, _p2, K, D), Reconstruction.Discrete(T(_p), T(_p2)));

        float[] ga = new float[K * D], gb = new float[K * D];
        SphereTermResult spans = Reconstruction.SphereWithGradient(_z, _z2, K, D, ga, gb, 3);
        Tensor<float> ta = Zeros(), tb = Zeros();
        Assert.Equal(spans, Reconstruction.SphereWithGradient(T(_z), T(_z2), ta, tb, 3));
        Assert.Equal(ga, Flat(ta));
        Assert.Equal(gb, Flat(tb));
        TermGradients allocated = Reconstruction.SphereWithGradient(T(_z), T(_z2), 3);
        Assert.Equal(gb, Flat(allocated.GradientBTensor!));

        double value = Reconstruction.DiscreteWithGradient(_p, _p2, K, D, ga, gb);
        ta = Zeros();
        tb = Zeros();
        Assert.Equal(value, Reconstruction.DiscreteWithGradient(T(_p), T(_p2), ta, tb));
        Assert.Equal(ga, Flat(ta));
        Assert.Equal(gb, Reconstruction.DiscreteWithGradient(T(_p), T(_p2)).GradientB);
    }

    [Fact]
    public void RowOps_Gram_and_ErLoss_overloads_equal_their_span_twins()
    {
        float[] x = TestData.Normal(K * D, 9);
        float[] z = new float[K * D];
        RowOps.L2Normalize(x, K, D, z);
        Tensor<float> zt = Zeros();
        RowOps.L2Normalize(T(x), zt);
        Assert.Equal(z, Flat(zt));

        float[] upstream = TestData.Normal(K * D, 10), gx = new float[K * D];
        RowOps.L2NormalizeBackward(x, upstream, K, D, gx);
        Tensor<float> gxt = Zeros();
        RowOps.L2NormalizeBackward(T(x), T(upstream), gxt);
        Assert.Equal(gx, Flat(gxt));

        float[] p = new float[K * D];
        RowOps.Softmax(x, K, D, p, 0.5);
        Tensor<float> pt = Zeros();
        RowOps.Softmax(T(x), pt, 0.5);
        Assert.Equal(p, Flat(pt));
        RowOps.SoftmaxBackward(p, upstream, K, D, gx, 0.5);
        RowOps.SoftmaxBackward(T(p), T(upstream), gxt, 0.5);
        Assert.Equal(gx, Flat(gxt));

        float[] gram = new float[K * K];
        Gram.Compute(_z, K, D, gram);
        Assert.Equal(gram, Flat(Gram.Compute(T(_z))));
        Tensor<float> gramTensor = Zeros(K, K);
        Gram.Compute(T(_z), gramTensor);
        Assert.Equal(gram, Flat(gramTensor));

        float[] product = new float[K * 11];
        float[] b = Unit(11, D, 12);
        Gram.MultiplyTransposed(_z, K, b, 11, D, product);
        Assert.Equal(product, Flat(Gram.MultiplyTransposed(T(_z), T(b, 11, D))));
        Tensor<float> productTensor = Zeros(K, 11);
        Gram.MultiplyTransposed(T(_z), T(b, 11, D), productTensor);
        Assert.Equal(product, Flat(productTensor));

        var loss = new ErLoss(Support.Sphere, K, D);
        float[] g1 = new float[K * D], g2 = new float[K * D];
        ErLossResult spans = loss.Compute(x, upstream, g1, g2);
        Tensor<float> t1 = Zeros(), t2 = Zeros();
        Assert.Equal(spans, loss.Compute(T(x), T(upstream), t1, t2));
        Assert.Equal(g1, Flat(t1));
        Assert.Equal(g2, Flat(t2));

        // All views as one [V, k, d] tensor.
        var multi = new ErLoss(Support.Sphere, K, D, views: 3) { GlobalViews = 1, Reduction = EntropyReduction.LeaveOneOut };
        float[] stacked = TestData.Normal(3 * K * D, 11), gradients = new float[3 * K * D];
        ErLossResult stackedSpans = multi.Compute(stacked, gradients);
        Tensor<float> gradientTensor = Tensor.Create(new float[3 * K * D], [3, K, D]);
        Assert.Equal(stackedSpans, multi.Compute(Tensor.Create(stacked, [3, K, D]), gradientTensor));
        Assert.Equal(gradients, Flat(gradientTensor));
        Assert.Throws<ArgumentException>(() => multi.Compute(T(stacked, 3 * K, D), gradientTensor));
    }

    [Fact]
    public void KappaSelection_overloads_equal_their_span_twins()
    {
        double value = ER.Managed.Estimation.KappaSelection.LeaveOneOutLogLikelihood(_z, K, D, 4, out double derivative);
        Assert.Equal(value, ER.Managed.Estimation.KappaSelection.LeaveOneOutLogLikelihood(T(_z), 4, out double tensorDerivative));
        Assert.Equal(derivative, tensorDerivative);
        float[] concentrated = new float[K * D];
        new ER.Managed.Estimation.SphereSampler(8).VonMisesFisher([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 20, K, concentrated);
        Assert.Equal(ER.Managed.Estimation.KappaSelection.LeaveOneOut(concentrated, K, D), ER.Managed.Estimation.KappaSelection.LeaveOneOut(T(concentrated)));
        Assert.Equal(ER.Managed.Estimation.KappaSelection.RuleOfThumb(concentrated, K, D), ER.Managed.Estimation.KappaSelection.RuleOfThumb(T(concentrated)));
    }

    [Fact]
    public void Npy_files_round_trip_tensors()
    {
        string path = Path.Combine(_folder, "t.npy");
        NpyFile.Write(path, T(_z));
        Tensor<float> back = NpyFile.Read(path).ToTensor();
        Assert.Equal([K, D], back.Lengths.ToArray());
        Assert.Equal(_z, Flat(back));

        double[] wide = [1.5, -2.25, 1e300];
        NpyFile.Write(path, Tensor.Create(wide, [3]));
        Tensor<double> doubles = NpyFile.Read(path).ToDoubleTensor();
        Assert.Equal([3], doubles.Lengths.ToArray());
        var flat = new double[3];
        doubles.FlattenTo(flat);
        Assert.Equal(wide, flat);

        NpyFile.Write(path, Tensor.Create(Enumerable.Range(0, 8).Select(i => (float)i).ToArray(), [2, 2, 2]));
        Tensor<float> cube = NpyFile.Read(path).ToTensor();
        Assert.Equal([2, 2, 2], cube.Lengths.ToArray());
        var cubeFlat = new float[8];
        cube.FlattenTo(cubeFlat);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (float)i), cubeFlat);
    }

    [Fact]
    public void Npy_files_hold_what_a_strided_view_shows_in_its_row_major_order()
    {
        // numpy's save writes a transposed or sliced array in its logical C order; so must we.
        string path = Path.Combine(_folder, "view.npy");
        float[] storage = [0, 1, 2, 3, 4, 5];

        // The transpose of the 2 x 3 matrix [[0, 1, 2], [3, 4, 5]]: 3 x 2, strides [1, 3].
        NpyFile.Write(path, new ReadOnlyTensorSpan<float>(storage, 0, [3, 2], [1, 3]));
        Assert.Equal([3, 2], NpyFile.Read(path).Shape);
        Assert.Equal([0f, 3, 1, 4, 2, 5], NpyFile.Read(path).ToSingleArray());

        // The middle column of a 2 x 3 matrix: 2 x 1, a stride of 3 between its rows.
        ReadOnlyTensorSpan<float> column = Tensor.Create(storage, [2, 3]).AsReadOnlyTensorSpan().Slice([new NRange(0, 2), new NRange(1, 2)]);
        Assert.False(column.IsDense);
        NpyFile.Write(path, column);
        Assert.Equal([2, 1], NpyFile.Read(path).Shape);
        Assert.Equal([1f, 4], NpyFile.Read(path).ToSingleArray());

        // One row broadcast to three (stride 0): the file holds all three copies.
        double[] row = [1.5, -2.5];
        NpyFile.Write(path, new ReadOnlyTensorSpan<double>(row, 0, [3, 2], [0, 1]));
        Assert.Equal([3, 2], NpyFile.Read(path).Shape);
        Assert.Equal([1.5, -2.5, 1.5, -2.5, 1.5, -2.5], NpyFile.Read(path).ToDoubleArray());

        // An empty tensor whose other dimension is beyond int: refused, not cast to a wrong shape.
        long beyond = 3_000_000_000L;
        nint beyondInt = (nint)beyond;
        var tooLong = Assert.Throws<ArgumentException>(() => NpyFile.Write(path, new ReadOnlyTensorSpan<float>(Array.Empty<float>(), 0, [0, beyondInt], [0, 0])));
        Assert.Equal("tensor", tooLong.ParamName);
        Assert.Contains("[0, 3000000000]", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exceptions_are_those_of_the_span_overloads()
    {
        // A row that is not unit: the same type, parameter and message as the span overload.
        float[] raw = (float[])_z.Clone();
        raw[0] = 5f;
        var spanError = Assert.Throws<ArgumentException>(() => Entropy.Sphere(raw, K, D));
        var tensorError = Assert.Throws<ArgumentException>(() => Entropy.Sphere(T(raw)));
        Assert.Equal(spanError.Message, tensorError.Message);
        Assert.Equal(spanError.ParamName, tensorError.ParamName);

        var badKappa = Assert.Throws<ArgumentOutOfRangeException>(() => Entropy.Sphere(T(_z), -1));
        Assert.Equal("kappa", badKappa.ParamName);
    }

    [Fact]
    public void Other_ranks_strides_and_shapes_are_refused_with_them_named()
    {
        var rank3 = Assert.Throws<ArgumentException>(() => Entropy.Sphere(Tensor.Create(new float[8], [2, 2, 2])));
        Assert.Equal("z", rank3.ParamName);
        Assert.Contains("rank 3", rank3.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 2, 2]", rank3.Message, StringComparison.Ordinal);

        // A transposed view (strides [1, K]) and a column slice (strides [D, 1] over fewer columns).
        Tensor<float> transposed = Tensor.PermuteDimensions(T(_z), [1, 0]);
        var strided = Assert.Throws<ArgumentException>(() => Entropy.Sphere(transposed));
        Assert.Contains($"strides [1, {D}]", strided.Message, StringComparison.Ordinal);
        Tensor<float> whole = T(_z);
        var sliced = Assert.Throws<ArgumentException>(() => Entropy.SphereKnn(whole.AsReadOnlyTensorSpan().Slice([NRange.All, new NRange(0, 5)])));
        Assert.Contains($"strides [{D}, 1]", sliced.Message, StringComparison.Ordinal);

        // Gradients of another shape; views of different shapes.
        var shape = Assert.Throws<ArgumentException>(() => Entropy.SphereWithGradient(T(_z), Zeros(K, D + 1)));
        Assert.Equal("gradient", shape.ParamName);
        Assert.Contains($"[{K}, {D}]", shape.Message, StringComparison.Ordinal);
        var views = Assert.Throws<ArgumentException>(() => Reconstruction.Sphere(T(_z), T(Unit(K - 1, D, 5), K - 1, D)));
        Assert.Contains($"[{K - 1}, {D}]", views.Message, StringComparison.Ordinal);
        var columns = Assert.Throws<ArgumentException>(() => Gram.MultiplyTransposed(T(_z), T(Unit(4, D + 1, 6), 4, D + 1)));
        Assert.Equal("b", columns.ParamName);
        Assert.Contains($"a is [{K}, {D}] and b is [4, {D + 1}]", columns.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ErLoss(Support.Sphere, K, D).Compute(T(_z, K, D), T(Unit(K, D - 1, 7), K, D - 1), Zeros(), Zeros()));

        // An empty dimension.
        var empty = Assert.Throws<ArgumentException>(() => Entropy.Sphere(Tensor.Create(Array.Empty<float>(), [0, D])));
        Assert.Contains("at least 1", empty.Message, StringComparison.Ordinal);
        empty = Assert.Throws<ArgumentException>(() => Entropy.Discrete(Tensor.Create(Array.Empty<float>(), [K, 0])));
        Assert.Contains("at least 1", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dense_tensors_with_a_dimension_of_length_one_are_read_in_place()
    {
        // System.Numerics.Tensors gives a dimension of length 1 the stride 0 ([1, d]: strides [0, 1];
        // [k, 1]: [1, 0]; [V, 1, d]: [d, 0, 1]); such tensors are dense and equal their span twins.
        float[] row = _z.AsSpan(0, D).ToArray();
        Assert.Equal(Entropy.Sphere(row, 1, D), Entropy.Sphere(T(row, 1, D)));
        float[] rowGradient = new float[D];
        Tensor<float> rowGradientTensor = Zeros(1, D);
        Assert.Equal(Entropy.SphereWithGradient(row, 1, D, rowGradient), Entropy.SphereWithGradient(T(row, 1, D), rowGradientTensor));
        Assert.Equal(rowGradient, Flat(rowGradientTensor));

        float[] ones = Enumerable.Repeat(1f, K).ToArray();
        Assert.Equal(Entropy.Discrete(ones, K, 1), Entropy.Discrete(T(ones, K, 1)));
        float[] gram = new float[1];
        Gram.Compute(row, 1, D, gram);
        Assert.Equal(gram, Flat(Gram.Compute(T(row, 1, D))));

        var loss = new ErLoss(Support.Sphere, 1, D, views: 3);
        float[] stacked = TestData.Normal(3 * D, 17), gradients = new float[3 * D];
        Tensor<float> gradientTensor = Tensor.Create(new float[3 * D], [3, 1, D]);
        Assert.Equal(loss.Compute(stacked, gradients), loss.Compute(Tensor.Create(stacked, [3, 1, D]), gradientTensor));
        Assert.Equal(gradients, Flat(gradientTensor));

        // A single column cut from a wider tensor is not dense: its rows are D floats apart.
        Tensor<float> whole = T(_p);
        var column = Assert.Throws<ArgumentException>(() => Entropy.Discrete(whole.AsReadOnlyTensorSpan().Slice([NRange.All, new NRange(0, 1)])));
        Assert.Contains($"strides [{D}, 0]", column.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_product_larger_than_an_array_is_refused_before_it_is_computed()
    {
        // 50000 rows of one column: the inputs are small, the 50000 x 50000 product is not.
        float[] tall = new float[50000];
        var tensor = Assert.Throws<ArgumentOutOfRangeException>(() => Gram.Compute(T(tall, 50000, 1)));
        Assert.Contains("[50000, 50000] result has more elements than one array can hold", tensor.Message, StringComparison.Ordinal);
        var span = Assert.Throws<ArgumentOutOfRangeException>(() => Gram.MultiplyTransposed(tall, 50000, tall, 50000, 1, new float[1]));
        Assert.Equal("result", span.ParamName);
        Assert.Contains("more elements than one array can hold", span.Message, StringComparison.Ordinal);
    }

    [Fact]
    public unsafe void A_tensor_of_more_elements_than_an_array_holds_is_refused_before_any_is_read()
    {
        // 70000 x 70000 (4.9e9 elements) declared over a single float: the lengths are refused before
        // the memory they claim is touched.
        float one = 1f;
        nint side = 70000;
        var huge = new ReadOnlyTensorSpan<float>(&one, side * side, new nint[] { 70000, 70000 }, ReadOnlySpan<nint>.Empty);
        ArgumentException? error = null;
        try
        {
            Entropy.Sphere(huge);
        }
        catch (ArgumentException e)
        {
            error = e;
        }

        Assert.NotNull(error);
        Assert.Equal("z", error.ParamName);
        Assert.Contains("[70000, 70000]: both lengths must be at least 1 and the elements fit one array", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, K, D, "views")]
    [InlineData(3, K - 1, D, "views")]
    [InlineData(3, K, D - 1, "views")]
    [InlineData(2, K, D, "gradients")]
    public void Stacked_views_of_another_shape_are_refused_with_the_shape_expected(int views, int rows, int columns, string wrong)
    {
        // One tensor of [3, K, D] views and one of the given shape, in the position named.
        var loss = new ErLoss(Support.Sphere, K, D, views: 3);
        Tensor<float> good = Tensor.Create(TestData.Normal(3 * K * D, 12), [3, K, D]);
        Tensor<float> other = Tensor.Create(new float[views * rows * columns], [views, rows, columns]);
        var error = Assert.Throws<ArgumentException>(() => wrong == "views"
            ? loss.Compute(other, Tensor.Create(new float[3 * K * D], [3, K, D]))
            : loss.Compute(good, other));
        Assert.Equal(wrong, error.ParamName);
        Assert.Contains($"rank-3 tensor [3, {K}, {D}]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stacked_views_that_are_not_dense_row_major_are_refused_with_their_strides()
    {
        var loss = new ErLoss(Support.Sphere, K, D, views: 3);
        Tensor<float> gradients = Tensor.Create(new float[3 * K * D], [3, K, D]);

        // [K, 3, D] with its first two dimensions swapped: the shape [3, K, D], strides [D, 3 D, 1].
        Tensor<float> swapped = Tensor.PermuteDimensions(Tensor.Create(TestData.Normal(3 * K * D, 13), [K, 3, D]), [1, 0, 2]);
        var rows = Assert.Throws<ArgumentException>(() => loss.Compute(swapped, gradients));
        Assert.Equal("views", rows.ParamName);
        Assert.Contains($"strides [{D}, {3 * D}, 1]", rows.Message, StringComparison.Ordinal);
        Assert.Contains($"(strides [{K * D}, {D}, 1])", rows.Message, StringComparison.Ordinal);

        // [3, K, D + 1] with its last column left out: strides [K (D + 1), D + 1, 1].
        Tensor<float> wide = Tensor.Create(TestData.Normal(3 * K * (D + 1), 14), [3, K, D + 1]);
        var columns = Assert.Throws<ArgumentException>(() => loss.Compute(wide.AsReadOnlyTensorSpan().Slice([NRange.All, NRange.All, new NRange(0, D)]), gradients));
        Assert.Contains($"strides [{K * (D + 1)}, {D + 1}, 1]", columns.Message, StringComparison.Ordinal);

        // [3, D, K] with its last two dimensions swapped: each view transposed, strides [K D, 1, K].
        Tensor<float> transposedRows = Tensor.PermuteDimensions(Tensor.Create(TestData.Normal(3 * K * D, 16), [3, D, K]), [0, 2, 1]);
        var transposed = Assert.Throws<ArgumentException>(() => loss.Compute(transposedRows, gradients));
        Assert.Contains($"strides [{K * D}, 1, {K}]", transposed.Message, StringComparison.Ordinal);
    }
}
