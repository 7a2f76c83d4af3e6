// A consumer of the ER.Managed package: computes an entropy and a gradient, and touches every
// public entry point once, so that a NativeAOT publish of it proves the whole public surface is
// trim- and AOT-clean. .ci/run builds it in a temporary folder against the packed .nupkg (not a
// project reference), runs it under the JIT and as a NativeAOT binary, and compares the output.
using System;
using System.Globalization;
using System.IO;
using System.Numerics.Tensors;
using ER.Managed;
using ER.Managed.Npy;

const int k = 64, d = 16;
var z = new float[k * d];
for (int i = 0; i < z.Length; i++)
{
    z[i] = MathF.Sin(i * 0.37f) + MathF.Cos(i * 0.11f);
}

RowOps.L2Normalize(z, k, d, z);
var options = new ErOptions { MaxDegreeOfParallelism = 2 };
var gradient = new float[k * d];
SphereTermResult h = Entropy.SphereWithGradient(z, k, d, gradient, kappa: 10, options: options);
double checksum = 0;
foreach (float g in gradient)
{
    checksum += g;
}

// Every other public entry point, once.
var w = new float[k * d];
RowOps.Softmax(z, k, d, w, temperature: 0.5);
var scratch = new float[k * d];
var scratchB = new float[k * d];
RowOps.SoftmaxBackward(w, z, k, d, scratch, 0.5);
RowOps.L2NormalizeBackward(z, z, k, d, scratch);
double sum = Entropy.Sphere(z, k, d, 10, EntropyReduction.Average, NormalizerMode.Reference)
    + Entropy.SphereWithGradient(z, k, d).Value
    + Entropy.Discrete(w, k, d)
    + Entropy.DiscreteWithGradient(w, k, d, scratch, EntropyReduction.Average)
    + Entropy.DiscreteWithGradient(w, k, d).Value
    + Reconstruction.Sphere(z, z, k, d)
    + Reconstruction.SphereWithGradient(z, z, k, d, scratch, scratchB).Value
    + Reconstruction.SphereWithGradient(z, z, k, d).KappaGradient
    + Reconstruction.Discrete(w, w, k, d)
    + Reconstruction.DiscreteWithGradient(w, w, k, d, scratch, scratchB)
    + Reconstruction.DiscreteWithGradient(w, w, k, d).Value
    + VonMisesFisher.LogBesselI(7, 10) + VonMisesFisher.LogNormalizer(d, 10) + VonMisesFisher.BesselRatio(d, 10)
    + VonMisesFisher.Entropy(d, 10) + VonMisesFisher.Constant(d, 10) + VonMisesFisher.ConstantDerivative(d, 10, NormalizerMode.Reference);
var gram = new float[k * k];
Gram.Compute(z, k, d, gram);
Gram.MultiplyTransposed(z, k, z, k, d, gram);
var loss = new ErLoss(Support.Discrete, k, d) { Temperature = 0.5, EntropyOf = EntropyView.View1 };
ErLossResult step = loss.Compute(z, z, scratch, scratchB);
string file = Path.Combine(Path.GetTempPath(), $"er-consumer-{Environment.ProcessId}.npy");
NpyFile.Write(file, gradient, [k, d]);
NpyArray back = NpyFile.Read(file);
File.Delete(file);
using var stream = new MemoryStream();
NpyFile.Write(stream, new double[] { sum }, [1]);
stream.Position = 0;
double roundTrip = NpyFile.Read(stream).ToDoubleArray()[0];
// The tensor overloads: the same entropy from a [k, d] Tensor<float>, its gradient as a tensor.
Tensor<float> zt = Tensor.Create(z, [k, d]);
TermGradients viaTensor = Entropy.SphereWithGradient(zt, kappa: 10, options: options);
Tensor<float> gramTensor = Gram.Compute(zt);
bool tensorsAgree = viaTensor.Value == h.Value && viaTensor.GradientTensor[0, 0] == gradient[0] && gramTensor[1, 0] == gram[k];

bool ok = tensorsAgree && back.Rows == k && back.Columns == d && back.DataType == NpyDataType.Float32 && back.ToSingleArray()[5] == gradient[5]
    && roundTrip == sum && gram[1] == gram[k] && double.IsFinite(step.Loss);

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"entropy {h.Value:R} kappa-gradient {h.KappaGradient:R} gradient-sum {checksum:R} all-entry-points {(ok ? "ok" : "FAILED")}"));
return ok ? 0 : 1;
