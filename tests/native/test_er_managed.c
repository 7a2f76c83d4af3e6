/*
 * A C test of every export of libermanaged (include/er_managed.h), against the published native
 * library: values against closed forms and against each other, gradients against central differences,
 * bad inputs (NULL pointers, sizes, NaN, negative kappa, non-unit rows, unknown codes, a bad options
 * struct), each refused with a status and a message naming the argument, thread safety (threads get
 * the same bits and their own error messages). Prints one line per check; exits 1 if any fails.
 *
 *   cc tests/native/test_er_managed.c -I include -L DIR -lermanaged -Wl,-rpath,DIR -lpthread -lm
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "er_managed.h"

static int failures = 0;

static void check(int ok, const char* what) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) failures++;
}

/* A refused call: the status, and a message that names the argument. */
static void refused(int status, const char* argument, const char* what) {
    const char* message = er_last_error();
    int ok = status == ER_INVALID_ARGUMENT && message != NULL && strstr(message, argument) != NULL;
    printf("%s %s -> %d \"%s\"\n", ok ? "ok  " : "FAIL", what, status, message ? message : "(null)");
    if (!ok) failures++;
}

static uint64_t state = 88172645463325252ull;
static double uniform(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return (state >> 11) * (1.0 / 9007199254740992.0); }
static double normal(void) { double u = 1.0 - uniform(), v = uniform(); return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v); }

static void unit_rows(float* z, int k, int d) {
    for (int i = 0; i < k; i++) {
        double norm = 0;
        for (int t = 0; t < d; t++) { z[i * d + t] = (float)normal(); norm += (double)z[i * d + t] * z[i * d + t]; }
        for (int t = 0; t < d; t++) z[i * d + t] = (float)(z[i * d + t] / sqrt(norm));
    }
}

static void probability_rows(float* w, int k, int d) {
    for (int i = 0; i < k; i++) {
        double sum = 0;
        for (int t = 0; t < d; t++) { w[i * d + t] = (float)exp(normal()); sum += w[i * d + t]; }
        for (int t = 0; t < d; t++) w[i * d + t] = (float)(w[i * d + t] / sum);
    }
}

enum { K = 24, D = 5 };
static float z[K * D], z2[K * D], w[K * D], w2[K * D];

typedef struct { double value; float gradient[K * D]; int status; char message[256]; int fail; } thread_result;

static void* worker(void* argument) {
    thread_result* r = (thread_result*)argument;
    double grad_kappa;
    if (r->fail) {
        /* This thread fails: its message must be its own. */
        r->status = er_entropy_sphere(z, K, D, -1.0, ER_ESTIMATOR_PLUGIN, NULL, &r->value);
    } else {
        for (int repeat = 0; repeat < 20; repeat++)
            r->status = er_entropy_sphere_grad(z, K, D, 7.0, ER_ESTIMATOR_LEAVE_ONE_OUT, NULL, &r->value, &grad_kappa, r->gradient);
    }
    snprintf(r->message, sizeof r->message, "%s", er_last_error());
    return NULL;
}

int main(void) {
    unit_rows(z, K, D);
    unit_rows(z2, K, D);
    probability_rows(w, K, D);
    probability_rows(w2, K, D);
    double value, value2, grad_kappa;
    float grad[K * D], grad_b[K * D];
    const double log_area_5 = log(8.0 * M_PI * M_PI / 3.0); /* log |S^4| */

    /* Version. */
    check(strlen(er_version()) > 0, "er_version is a non-empty string");
    check(er_abi_version() == ER_MANAGED_ABI_VERSION, "er_abi_version matches the header");
    check(strcmp(er_last_error(), "") == 0, "er_last_error is empty before any failure");

    /* Sphere entropy: kappa = 0 is the uniform limit for every estimator; grad and plain agree. */
    for (int estimator = 0; estimator <= 2; estimator++) {
        check(er_entropy_sphere(z, K, D, 0.0, estimator, NULL, &value) == ER_OK && fabs(value - log_area_5) < 1e-9, "er_entropy_sphere at kappa 0 is log |S^4|");
        check(er_entropy_sphere(z, K, D, 10.0, estimator, NULL, &value) == ER_OK
              && er_entropy_sphere_grad(z, K, D, 10.0, estimator, NULL, &value2, &grad_kappa, grad) == ER_OK
              && value == value2 && isfinite(grad_kappa), "er_entropy_sphere_grad gives er_entropy_sphere's value");
        /* dH/dz against central differences of the value (h = 1e-3 on one coordinate, renormalizing is not needed for this linear check with validation off). */
        er_options raw = { sizeof(er_options), 0, ER_NORMALIZER_EXACT, 0 };
        float saved = z[7];
        double plus, minus;
        z[7] = saved + 1e-3f; er_entropy_sphere(z, K, D, 10.0, estimator, &raw, &plus);
        z[7] = saved - 1e-3f; er_entropy_sphere(z, K, D, 10.0, estimator, &raw, &minus);
        z[7] = saved;
        double fd = (plus - minus) / ((double)(saved + 1e-3f) - (double)(saved - 1e-3f));
        check(fabs(fd - grad[7]) <= 1e-2 * (1 + fabs(grad[7])), "dH/dz matches a central difference");
        /* dH/dkappa likewise. */
        er_entropy_sphere(z, K, D, 10.01, estimator, NULL, &plus);
        er_entropy_sphere(z, K, D, 9.99, estimator, NULL, &minus);
        check(fabs((plus - minus) / 0.02 - grad_kappa) <= 1e-3 * (1 + fabs(grad_kappa)), "dH/dkappa matches a central difference");
    }
    {
        er_options reference = { sizeof(er_options), 1, ER_NORMALIZER_REFERENCE, 1 };
        check(er_entropy_sphere(z, K, D, 10.0, ER_ESTIMATOR_PLUGIN, &reference, &value) == ER_OK && er_entropy_sphere(z, K, D, 10.0, ER_ESTIMATOR_PLUGIN, NULL, &value2) == ER_OK
              && fabs(value - value2) < 1e-3, "the reference normalizer equals the exact one at d = 5 (the +1e-7 is negligible there)");
    }

    /* Discrete entropy: a one-hot batch has entropy ~0 (expectation), and grad/plain agree. */
    check(er_entropy_discrete(w, K, D, ER_REDUCTION_EXPECTATION, NULL, &value) == ER_OK && value > 0 && value <= log(D) + 1e-6, "er_entropy_discrete lies in [0, log d]");
    check(er_entropy_discrete_grad(w, K, D, ER_REDUCTION_AVERAGE, NULL, &value, grad) == ER_OK && value >= log(D) - 1e-6 && isfinite(grad[0]), "er_entropy_discrete_grad (average) is at least log d");

    /* Reconstruction: identical views give c - kappa (sphere); grad and plain agree. */
    check(er_reconstruction_sphere(z, z, K, D, 10.0, NULL, &value) == ER_OK && er_vmf(D, (double[]){ 10.0 }, 1, NULL, &value2, NULL, NULL) == ER_OK
          && fabs(value - (-value2 - 10.0)) < 1e-5, "er_reconstruction_sphere of identical views is c - kappa");
    check(er_reconstruction_sphere_grad(z, z2, K, D, 10.0, NULL, &value, &grad_kappa, grad, grad_b) == ER_OK
          && fabs(grad[0] - (-10.0 / K) * z2[0]) < 1e-6, "er_reconstruction_sphere_grad is -(kappa/k) b");
    check(er_reconstruction_discrete(w, w2, K, D, NULL, &value) == ER_OK && er_reconstruction_discrete_grad(w, w2, K, D, NULL, &value2, grad, grad_b) == ER_OK
          && value == value2, "er_reconstruction_discrete_grad gives er_reconstruction_discrete's value");

    /* kNN, vMF, kappa selection, leave-one-out likelihood. */
    check(er_entropy_knn(z, K, D, 4, NULL, &value) == ER_OK && isfinite(value), "er_entropy_knn");
    {
        double kappa[3] = { 0.0, 1.0, 50.0 }, log_i[3], log_c[3], ratio[3], entropy[3];
        int status = er_vmf(3, kappa, 3, log_i, log_c, ratio, entropy);
        /* d = 3: C_3(kappa) = kappa / (4 pi sinh kappa), A_3 = coth kappa - 1/kappa. */
        check(status == ER_OK && fabs(log_c[1] - (log(1.0) - log(4 * M_PI * sinh(1.0)))) < 1e-13 && fabs(ratio[2] - (1 / tanh(50.0) - 1 / 50.0)) < 1e-13
              && fabs(log_c[0] + log(4 * M_PI)) < 1e-13 && ratio[0] == 0 && isinf(log_i[0]) && log_i[0] < 0, "er_vmf against d = 3's closed forms, kappa = 0 included");
        check(er_vmf(3, kappa, 0, NULL, NULL, NULL, NULL) == ER_OK, "er_vmf of no kappa");
    }
    {
        double kappa, log_likelihood, derivative;
        int32_t iterations, boundary;
        check(er_kappa_select(z, K, D, ER_KAPPA_LEAVE_ONE_OUT, NULL, &kappa, &log_likelihood, &iterations, &boundary) == ER_OK && kappa >= 0 && iterations > 0
              && boundary >= ER_BOUNDARY_NONE && boundary <= ER_BOUNDARY_CONCENTRATED, "er_kappa_select (leave-one-out)");
        check(er_loo_log_likelihood(z, K, D, kappa, NULL, &value, &derivative) == ER_OK && fabs(value - log_likelihood) < 1e-9, "er_loo_log_likelihood at the selected kappa");
        check(er_kappa_select(z, K, D, ER_KAPPA_RULE_OF_THUMB, NULL, &kappa, &log_likelihood, &iterations, &boundary) == ER_OK && kappa >= 0, "er_kappa_select (rule of thumb)");
    }

    /* Bad inputs: a status, a message naming the argument, nothing written. */
    value = 12345.0;
    refused(er_entropy_sphere(NULL, K, D, 10.0, 0, NULL, &value), "z", "NULL z");
    check(value == 12345.0, "nothing written on failure");
    refused(er_entropy_sphere(z, K, D, 10.0, 0, NULL, NULL), "value", "NULL value");
    refused(er_entropy_sphere(z, 0, D, 10.0, 0, NULL, &value), "rows", "rows = 0");
    refused(er_entropy_sphere(z, K, -3, 10.0, 0, NULL, &value), "columns", "columns < 0");
    refused(er_entropy_sphere(z, K, D, -1.0, 0, NULL, &value), "kappa", "kappa < 0");
    refused(er_entropy_sphere(z, K, D, NAN, 0, NULL, &value), "kappa", "kappa NaN");
    refused(er_entropy_sphere(z, K, D, 10.0, 7, NULL, &value), "estimator", "unknown estimator");
    refused(er_entropy_sphere(z, 1, D, 10.0, ER_ESTIMATOR_LEAVE_ONE_OUT, NULL, &value), "rows", "leave-one-out of 1 row");
    refused(er_entropy_sphere(z, K, D, 0.0, 0, &(er_options){ sizeof(er_options), 0, ER_NORMALIZER_REFERENCE, 1 }, &value), "kappa", "reference normalizer at kappa 0");
    refused(er_entropy_sphere(z, K, D, 10.0, 0, &(er_options){ 0, 0, 0, 1 }, &value), "options", "options.size 0");
    refused(er_entropy_sphere(z, K, D, 10.0, 0, &(er_options){ sizeof(er_options), -2, 0, 1 }, &value), "options", "options.threads < 0");
    refused(er_entropy_sphere(z, K, D, 10.0, 0, &(er_options){ sizeof(er_options), 0, 5, 1 }, &value), "options", "unknown normalizer");
    {
        float bad[K * D];
        memcpy(bad, z, sizeof bad);
        bad[3] = NAN;
        refused(er_entropy_sphere(bad, K, D, 10.0, 0, NULL, &value), "z", "a NaN in z");
        memcpy(bad, z, sizeof bad);
        for (int t = 0; t < D; t++) bad[D + t] *= 0.5f;
        refused(er_entropy_sphere(bad, K, D, 10.0, 0, NULL, &value), "z", "a row that is not unit");
        refused(er_entropy_sphere_grad(z, K, D, 10.0, 0, NULL, &value, &grad_kappa, NULL), "grad_z", "NULL grad_z");
        refused(er_entropy_sphere_grad(z, K, D, 10.0, 0, NULL, &value, NULL, grad), "grad_kappa", "NULL grad_kappa");
        refused(er_entropy_sphere_grad(z, K, D, 10.0, 0, NULL, &value, &grad_kappa, z), "gradient", "grad_z overlapping z");
    }
    refused(er_entropy_discrete(w, K, D, 2, NULL, &value), "reduction", "leave-one-out for the discrete entropy");
    refused(er_entropy_discrete(z, K, D, 0, NULL, &value), "w", "discrete rows that are not probabilities");
    refused(er_entropy_discrete_grad(w, K, D, 0, NULL, &value, NULL), "grad_w", "NULL grad_w");
    refused(er_reconstruction_sphere(z, NULL, K, D, 10.0, NULL, &value), "b", "NULL b");
    refused(er_reconstruction_sphere_grad(z, z2, K, D, 10.0, NULL, &value, &grad_kappa, grad, NULL), "grad_b", "NULL grad_b");
    refused(er_reconstruction_discrete(NULL, w2, K, D, NULL, &value), "a", "NULL a");
    refused(er_reconstruction_discrete_grad(w, w2, K, D, NULL, &value, NULL, grad_b), "grad_a", "NULL grad_a");
    refused(er_entropy_knn(z, K, D, 0, NULL, &value), "neighbors", "neighbors = 0");
    refused(er_entropy_knn(z, 4, D, 4, NULL, &value), "rows", "rows <= neighbors");
    {
        /* rows x (2 neighbors + 8) past an array: refused before anything is allocated. */
        float* circle = malloc(sizeof(float) * 32800 * 2);
        for (int i = 0; i < 32800; i++) { circle[2 * i] = (float)cos(i); circle[2 * i + 1] = (float)sin(i); }
        refused(er_entropy_knn(circle, 32800, 2, 32767, NULL, &value), "neighbors", "candidate buffers past an array");
        free(circle);
    }
    refused(er_vmf(0, (double[]){ 1.0 }, 1, NULL, &value, NULL, NULL), "dimension", "dimension 0");
    refused(er_vmf(3, (double[]){ -1.0 }, 1, NULL, &value, NULL, NULL), "kappa", "a negative kappa in the array");
    refused(er_vmf(3, NULL, 1, NULL, &value, NULL, NULL), "kappa", "NULL kappa array");
    refused(er_vmf(3, (double[]){ 1.0 }, 1, NULL, NULL, NULL, NULL), "NULL", "every output NULL");
    refused(er_vmf(3, (double[]){ 1.0 }, -1, NULL, &value, NULL, NULL), "count", "count < 0");
    {
        double kappa, log_likelihood, derivative;
        int32_t iterations, boundary;
        refused(er_kappa_select(z, K, D, 9, NULL, &kappa, &log_likelihood, &iterations, &boundary), "method", "unknown method");
        refused(er_kappa_select(z, K, D, 0, NULL, &kappa, &log_likelihood, NULL, &boundary), "iterations", "NULL iterations");
        float same[4 * D] = { 0 };
        for (int i = 0; i < 4; i++) same[i * D] = 1.0f;
        /* A collapsed batch is valid data: the ceiling, flagged, for both methods. */
        for (int32_t method = ER_KAPPA_LEAVE_ONE_OUT; method <= ER_KAPPA_RULE_OF_THUMB; method++)
            check(er_kappa_select(same, 4, D, method, NULL, &kappa, &log_likelihood, &iterations, &boundary) == ER_OK && kappa == 1e6
                  && boundary == ER_BOUNDARY_CONCENTRATED && isfinite(log_likelihood), "er_kappa_select (every row the same direction)");
        refused(er_loo_log_likelihood(z, K, D, -5.0, NULL, &value, &derivative), "kappa", "likelihood at kappa < 0");
        refused(er_loo_log_likelihood(z, 1, D, 5.0, NULL, &value, &derivative), "rows", "likelihood of 1 row");
    }

    /* Threads: the same bits everywhere, and each thread's own error message. */
    {
        enum { THREADS = 4 };
        pthread_t threads[THREADS];
        thread_result results[THREADS];
        memset(results, 0, sizeof results);
        results[THREADS - 1].fail = 1;
        for (int t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, worker, &results[t]);
        for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
        int same = 1;
        for (int t = 1; t < THREADS - 1; t++)
            same &= results[t].status == ER_OK && results[t].value == results[0].value && memcmp(results[t].gradient, results[0].gradient, sizeof results[0].gradient) == 0;
        check(results[0].status == ER_OK && same, "threads computing at once get the same bits");
        check(results[THREADS - 1].status == ER_INVALID_ARGUMENT && strstr(results[THREADS - 1].message, "kappa") != NULL, "the failing thread sees its own message");
        check(strstr(results[0].message, "kappa") == NULL, "the succeeding threads do not see it");
    }

    printf("%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
