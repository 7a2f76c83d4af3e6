using System.Numerics;

namespace ER.Managed.Numerics;

/// <summary>
/// The polynomials U_k(p) of the uniform (Debye) asymptotic expansion of I_nu, generated
/// exactly in rational arithmetic from the recurrence DLMF 10.41.10,
/// <c>U_{k+1}(p) = p^2 (1 - p^2) U_k'(p) / 2 + (1/8) int_0^p (1 - 5 t^2) U_k(t) dt</c>,
/// <c>U_0 = 1</c>, and only then rounded to double: typing the coefficients in invites typos,
/// and rounding inside the recurrence would compound.
/// </summary>
internal static class DebyePolynomials
{
    /// <summary>
    /// Exact coefficients of U_0..U_count: element [k][j] is the coefficient of p^j (j = 0..3k).
    /// </summary>
    internal static Rational[][] GenerateExact(int count)
    {
        var polynomials = new Rational[count + 1][];
        polynomials[0] = [Rational.One];
        for (int k = 0; k < count; k++)
        {
            Rational[] current = polynomials[k];
            var next = new Rational[current.Length + 3];
            Array.Fill(next, Rational.Zero);
            for (int j = 0; j < current.Length; j++)
            {
                Rational c = current[j];
                if (c.IsZero)
                {
                    continue;
                }

                // p^2 (1 - p^2) / 2 * j c p^(j-1) = (j c / 2) (p^(j+1) - p^(j+3))
                if (j > 0)
                {
                    Rational half = c * new Rational(j, 2);
                    next[j + 1] += half;
                    next[j + 3] -= half;
                }

                // (1/8) int_0^p (1 - 5 t^2) c t^j dt = c p^(j+1) / (8 (j+1)) - 5 c p^(j+3) / (8 (j+3))
                next[j + 1] += c * new Rational(1, 8 * (j + 1));
                next[j + 3] -= c * new Rational(5, 8 * (j + 3));
            }

            polynomials[k + 1] = next;
        }

        return polynomials;
    }

    /// <summary>
    /// U_k(p) / nu^k rewritten for evaluation at p = nu / s: since U_k has only the powers
    /// p^k, p^(k+2), ..., p^(3k), <c>U_k(p) / nu^k = s^-k * sum_m c_{k, k+2m} (p^2)^m</c>,
    /// which stays finite at nu = 0 (where it reduces to Hankel's large-argument series).
    /// Element [k][m] is c_{k, k+2m} rounded to double.
    /// </summary>
    internal static double[][] GenerateForEvaluation(int count)
    {
        Rational[][] exact = GenerateExact(count);
        var result = new double[count + 1][];
        for (int k = 0; k <= count; k++)
        {
            result[k] = new double[k + 1];
            for (int m = 0; m <= k; m++)
            {
                result[k][m] = exact[k][k + (2 * m)].ToDouble();
            }
        }

        return result;
    }
}

/// <summary>An exact rational number (normalized, positive denominator) for coefficient generation.</summary>
internal readonly struct Rational : IEquatable<Rational>
{
    internal Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException();
        }

        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        BigInteger gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsOne && !gcd.IsZero)
        {
            numerator /= gcd;
            denominator /= gcd;
        }

        Numerator = numerator;
        Denominator = denominator;
    }

    internal static Rational Zero => new(BigInteger.Zero, BigInteger.One);

    internal static Rational One => new(BigInteger.One, BigInteger.One);

    internal BigInteger Numerator { get; }

    internal BigInteger Denominator { get; }

    internal bool IsZero => Numerator.IsZero;

    public static Rational operator +(Rational a, Rational b) =>
        new((a.Numerator * b.Denominator) + (b.Numerator * a.Denominator), a.Denominator * b.Denominator);

    public static Rational operator -(Rational a, Rational b) =>
        new((a.Numerator * b.Denominator) - (b.Numerator * a.Denominator), a.Denominator * b.Denominator);

    public static Rational operator *(Rational a, Rational b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static bool operator ==(Rational a, Rational b) => a.Equals(b);

    public static bool operator !=(Rational a, Rational b) => !a.Equals(b);

    /// <summary>Conversion to double within an ulp (the quotient is formed with 64 significant bits, then rounded).</summary>
    internal double ToDouble()
    {
        if (Numerator.IsZero)
        {
            return 0.0;
        }

        // Scale so that the integer quotient carries about 64 significant bits, so that the
        // truncated division costs far less than the final rounding to 53 bits.
        long shift = 64 - ((long)BigInteger.Abs(Numerator).GetBitLength() - (long)Denominator.GetBitLength());
        BigInteger scaled = shift >= 0 ? Numerator << (int)shift : Numerator >> (int)(-shift);
        BigInteger quotient = BigInteger.Divide(scaled, Denominator);
        return Math.ScaleB((double)quotient, (int)-shift);
    }

    public bool Equals(Rational other) => Numerator == other.Numerator && Denominator == other.Denominator;

    public override bool Equals(object? obj) => obj is Rational other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);

    public override string ToString() => $"{Numerator}/{Denominator}";
}
