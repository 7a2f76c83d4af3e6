/*
 * er_managed.h: the C interface of ER.Managed, the entropy and reconstruction (ER) terms of
 * multi-view self-supervised learning, as one native shared library (libermanaged.so, .dylib, .dll)
 * that needs no .NET installation.
 *
 * Build it:  dotnet publish src/ER.Managed.Native -c Release -r linux-x64   (or linux-arm64, osx-arm64, win-x64)
 * Link it:   cc app.c -I include -L <publish folder> -lermanaged -Wl,-rpath,<publish folder>
 *
 * Conventions (every function below):
 * - Matrices are row-major float32, rows x columns, one sample a row; rows and columns are int64_t
 *   and must be at least 1 (rows x columns at most 2,147,483,591 elements). kappa values are double.
 * - All values are in nats. Scalars come back through pointers; gradients are written into caller
 *   buffers of the input's shape (rows x columns floats), which must not overlap the inputs.
 * - Every function returns a status: ER_OK, or an error code with nothing written; then
 *   er_last_error() says what was wrong, naming the argument ("z: Row 3 has norm 0.9...").
 *   Nothing aborts, nothing throws across the boundary, nothing allocated is handed to the caller.
 * - Every function is thread-safe; results are the same bits for any number of threads.
 * - options may be NULL (every default). Otherwise set options.size = sizeof(er_options) first:
 *   fields added in later versions then keep their defaults for this caller.
 * - Sphere inputs must be unit rows (|norm^2 - 1| <= 1e-3) and discrete inputs probability rows
 *   (non-negative, summing to 1 within 1e-3) unless options.validate is 0.
 */
#ifndef ER_MANAGED_H
#define ER_MANAGED_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define ER_API __declspec(dllimport)
#else
#define ER_API
#endif

/* The ABI this header describes; compare with er_abi_version() at run time. */
#define ER_MANAGED_ABI_VERSION 1

/* Status codes. */
#define ER_OK 0                  /* success: the outputs are written */
#define ER_INVALID_ARGUMENT 1    /* an argument was refused: a NULL pointer, a size, NaN, kappa < 0, rows not unit, ... */
#define ER_OUT_OF_MEMORY 2       /* memory ran out */
#define ER_INTERNAL_ERROR 3      /* a defect: please report it with er_last_error()'s text */

/* Sphere entropy estimators (the original's reductions, and Joe's leave-one-out). */
#define ER_ESTIMATOR_PLUGIN 0           /* "expectation": H = sum_i w_i l_i, w = softmax(-l) (the default) */
#define ER_ESTIMATOR_JOE 1              /* "average": H = (1/k) sum_i l_i */
#define ER_ESTIMATOR_LEAVE_ONE_OUT 2    /* Joe's without the self-pair: the estimator to train with */

/* Discrete entropy reductions. */
#define ER_REDUCTION_EXPECTATION 0      /* H = -sum_c m_c log(m_c + 1e-7), m the column means */
#define ER_REDUCTION_AVERAGE 1          /* H = -(1/d) sum_c log(m_c + 1e-7) */

/* vMF normalizers. */
#define ER_NORMALIZER_EXACT 0           /* log C_d(kappa) exact in double (the default) */
#define ER_NORMALIZER_REFERENCE 1       /* the original's log(I_nu(kappa) + 1e-7): wrong from d ~ 50 on, kept to reproduce it */

/* Kappa selection methods and boundaries. */
#define ER_KAPPA_LEAVE_ONE_OUT 0        /* maximize the leave-one-out likelihood */
#define ER_KAPPA_RULE_OF_THUMB 1        /* Garcia-Portugues (2013) */
#define ER_BOUNDARY_NONE 0              /* an interior maximum */
#define ER_BOUNDARY_UNIFORM 1           /* the likelihood is largest as kappa -> 0: kappa = 0 is returned */
#define ER_BOUNDARY_CONCENTRATED 2      /* still rising at kappa = 1e6 (near-duplicate rows): 1e6 is returned */

/* Settings; pass NULL for the defaults. */
typedef struct er_options {
    uint32_t size;       /* sizeof(er_options): set it */
    int32_t threads;     /* threads per call; 0 (default) for all cores */
    int32_t normalizer;  /* ER_NORMALIZER_EXACT (default) or ER_NORMALIZER_REFERENCE */
    int32_t validate;    /* 1 (default): check the inputs; 0: skip the checks (the caller guarantees them) */
} er_options;

/* The library's version ("0.1.0", static storage) and its ABI version (ER_MANAGED_ABI_VERSION). */
ER_API const char* er_version(void);
ER_API int32_t er_abi_version(void);

/* The message of the last failed call on this thread, UTF-8; "" if none has failed. Valid until the
 * next failed call on the same thread. */
ER_API const char* er_last_error(void);

/* Sphere entropy of unit rows z (k x d): the vMF kernel density estimate, l_i = c + log k - LSE_i,
 * LSE_i = log sum_j exp(kappa z_i.z_j), c = -log C_d(kappa). 0 <= kappa <= 1e10 in every sphere term
 * (0: the uniform limit, every estimator gives log |S^(d-1)|; above 1e10 the parts of size kappa that
 * cancel keep fewer digits than float32 in double); the leave-one-out estimator needs rows >= 2. */
ER_API int er_entropy_sphere(const float* z, int64_t rows, int64_t columns, double kappa, int32_t estimator,
                             const er_options* options, double* value);
/* ... with dH/dkappa and dH/dz (rows x columns, into grad_z). */
ER_API int er_entropy_sphere_grad(const float* z, int64_t rows, int64_t columns, double kappa, int32_t estimator,
                                  const er_options* options, double* value, double* grad_kappa, float* grad_z);

/* Discrete entropy of probability rows w (k x d), of their column means. */
ER_API int er_entropy_discrete(const float* w, int64_t rows, int64_t columns, int32_t reduction,
                               const er_options* options, double* value);
ER_API int er_entropy_discrete_grad(const float* w, int64_t rows, int64_t columns, int32_t reduction,
                                    const er_options* options, double* value, float* grad_w);

/* Sphere reconstruction of paired unit rows: R = (1/k) sum_i (-kappa <a_i, b_i> + c). */
ER_API int er_reconstruction_sphere(const float* a, const float* b, int64_t rows, int64_t columns, double kappa,
                                    const er_options* options, double* value);
ER_API int er_reconstruction_sphere_grad(const float* a, const float* b, int64_t rows, int64_t columns, double kappa,
                                         const er_options* options, double* value, double* grad_kappa,
                                         float* grad_a, float* grad_b);

/* Discrete reconstruction of paired probability rows: the symmetric cross-entropy. */
ER_API int er_reconstruction_discrete(const float* a, const float* b, int64_t rows, int64_t columns,
                                      const er_options* options, double* value);
ER_API int er_reconstruction_discrete_grad(const float* a, const float* b, int64_t rows, int64_t columns,
                                           const er_options* options, double* value, float* grad_a, float* grad_b);

/* The k-nearest-neighbour (Kozachenko-Leonenko) entropy of unit rows on S^(d-1): no kappa; columns >= 2,
 * rows > neighbors (the m-th neighbour, 4 is a good default) and rows * (2 * neighbors + 8) at most
 * 2147483591 (its candidates' buffers); ER_INVALID_ARGUMENT otherwise. */
ER_API int er_entropy_knn(const float* z, int64_t rows, int64_t columns, int32_t neighbors,
                          const er_options* options, double* value);

/* The vMF functions for count kappas (each >= 0) at dimension d >= 1: log I_{d/2-1}(kappa), log C_d(kappa),
 * A_d(kappa) = I_{d/2}/I_{d/2-1} and the vMF entropy, exact in double. Any output may be NULL (not
 * wanted), not all. log I is -inf at kappa = 0 for d > 2 (+inf for d = 1). */
ER_API int er_vmf(int32_t dimension, const double* kappa, int64_t count,
                  double* log_bessel_i, double* log_normalizer, double* bessel_ratio, double* entropy);

/* A kernel kappa chosen from unit rows (rows >= 2; columns >= 1 for ER_KAPPA_LEAVE_ONE_OUT, >= 2 for
 * ER_KAPPA_RULE_OF_THUMB). Writes kappa, the leave-one-out log-likelihood there (nats per sample), the
 * likelihood evaluations (or the vMF fit's) it took and the boundary flag. Refused only for invalid
 * data (not unit, not finite); every row the same direction gives 1e6 with ER_BOUNDARY_CONCENTRATED. */
ER_API int er_kappa_select(const float* z, int64_t rows, int64_t columns, int32_t method, const er_options* options,
                           double* kappa, double* log_likelihood, int32_t* iterations, int32_t* boundary);

/* The leave-one-out log-likelihood L(kappa) of the vMF kernel density of unit rows and dL/dkappa. */
ER_API int er_loo_log_likelihood(const float* z, int64_t rows, int64_t columns, double kappa,
                                 const er_options* options, double* value, double* derivative);

#ifdef __cplusplus
}
#endif

#endif /* ER_MANAGED_H */
