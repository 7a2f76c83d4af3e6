namespace ER.Managed.Samples.Digits;

/// <summary>Adam (Kingma and Ba, 2015) over one array of parameters, with the usual defaults.</summary>
public sealed class Adam(int size, double learningRate, double weightDecay = 0.0)
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly double[] _m = new double[size];
    private readonly double[] _v = new double[size];
    private int _t;

    /// <summary>One step: <c>parameters -= lr m_hat / (sqrt(v_hat) + eps)</c>, with L2 weight decay added to the gradient.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        _t++;
        double correction1 = 1 - Math.Pow(Beta1, _t), correction2 = 1 - Math.Pow(Beta2, _t);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = gradient[i] + (weightDecay * parameters[i]);
            _m[i] = (Beta1 * _m[i]) + ((1 - Beta1) * g);
            _v[i] = (Beta2 * _v[i]) + ((1 - Beta2) * g * g);
            parameters[i] -= (float)(learningRate * (_m[i] / correction1) / (Math.Sqrt(_v[i] / correction2) + Epsilon));
        }
    }
}
