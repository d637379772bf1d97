/* The hot loops of the mean-field engine (kernels.h). */
#include "kernels.h"
#include "gauss.h"

#define MR_INLINE static inline __attribute__((always_inline))

/* A_i for nin known at compile time (the order of MrDmftA: I_i I_j first). */
#define MR_AI(NIN, i)                                                                                                                                                                                                                                    \
  (NIN == 0   ? Ih[i] * Ij                                                                                                                                                                                                                               \
   : NIN == 1 ? Ih[i] * Ij + H[i] * w0                                                                                                                                                                                                                   \
   : NIN == 2 ? Ih[i] * Ij + H[i] * w0 + H[Nt + i] * w1                                                                                                                                                                                                  \
   : NIN == 3 ? Ih[i] * Ij + H[i] * w0 + H[Nt + i] * w1 + H[2 * Nt + i] * w2                                                                                                                                                                             \
              : Ih[i] * Ij + H[i] * w0 + H[Nt + i] * w1 + H[2 * Nt + i] * w2 + H[3 * Nt + i] * w3)
#define MR_AN(NIN, i) (NIN == 0 ? 0.0 : NIN == 1 ? H[i] * w0 : NIN == 2 ? H[i] * w0 + H[Nt + i] * w1 : NIN == 3 ? H[i] * w0 + H[Nt + i] * w1 + H[2 * Nt + i] * w2 : H[i] * w0 + H[Nt + i] * w1 + H[2 * Nt + i] * w2 + H[3 * Nt + i] * w3)
#define MR_A(NIN, INPUT, i) (INPUT ? MR_AI(NIN, i) : MR_AN(NIN, i))

/* One element's drive, summed in one fixed order whatever nin is: with INPUT
   false the first term is absent (0 + x is x), so the bits are those of MR_A. */
MR_INLINE double MrA(PetscInt nin, PetscBool input, PetscInt Nt, const double *H, const double *w, const double *Ih, double Ij, PetscInt i)
{
  double A = input ? Ih[i] * Ij : 0.0;
  for (PetscInt k = 0; k < nin; k++) A = (input || k) ? A + H[k * Nt + i] * w[k] : H[k * Nt + i] * w[k];
  return A;
}

/* One function per (nin, input): restrict parameters (not restrict locals, which GCC
   does not trust) let the loops vectorise without alias checks. g2 == 0: no Gaussian
   integral at all. */
#define MR_PARAMS                                                                                                                                                                                                                                        \
  PetscInt lo, PetscInt hi, double c1, double h, double g2, double rj, PetscInt Nt, const double *restrict H, double w0, double w1, double w2, double w3, const double *restrict Ih, double Ij, const double *restrict Dp, const double *restrict Gp,    \
      const double *restrict ri, double *restrict Dc, double *restrict out
#define MR_DEFINE(NIN, INPUT)                                                                                                                                                                                                                            \
  MR_INLINE void MrRef_##NIN##_##INPUT(MR_PARAMS)                                                                                                                                                                                                        \
  {                                                                                                                                                                                                                                                      \
    (void)w0, (void)w1, (void)w2, (void)w3, (void)Ih, (void)Ij, (void)H, (void)Nt;                                                                                                                                                                       \
    if (g2 == 0)                                                                                                                                                                                                                                         \
      for (PetscInt i = lo; i < hi; i++) {                                                                                                                                                                                                               \
        Dc[i]  = c1 * Dp[i] + h * Gp[i];                                                                                                                                                                                                                 \
        out[i] = h * MR_A(NIN, INPUT, i);                                                                                                                                                                                                                \
      }                                                                                                                                                                                                                                                  \
    else                                                                                                                                                                                                                                                 \
      for (PetscInt i = lo; i < hi; i++) {                                                                                                                                                                                                               \
        const double D = c1 * Dp[i] + h * Gp[i];                                                                                                                                                                                                         \
        Dc[i]          = D;                                                                                                                                                                                                                              \
        out[i]         = h * (g2 * MrCorrR(ri[i], rj, D) + MR_A(NIN, INPUT, i));                                                                                                                                                                         \
      }                                                                                                                                                                                                                                                  \
  }                                                                                                                                                                                                                                                      \
  MR_INLINE void MrF_##NIN##_##INPUT(MR_PARAMS)                                                                                                                                                                                                          \
  {                                                                                                                                                                                                                                                      \
    (void)w0, (void)w1, (void)w2, (void)w3, (void)Ih, (void)Ij, (void)H, (void)Nt, (void)c1, (void)h, (void)Dp, (void)Gp;                                                                                                                                \
    if (g2 == 0)                                                                                                                                                                                                                                         \
      for (PetscInt i = lo; i < hi; i++) out[i] = MR_A(NIN, INPUT, i);                                                                                                                                                                                   \
    else                                                                                                                                                                                                                                                 \
      for (PetscInt i = lo; i < hi; i++) out[i] = g2 * MrCorrR(ri[i], rj, Dc[i]) + MR_A(NIN, INPUT, i);                                                                                                                                                  \
  }
MR_DEFINE(0, 0)
MR_DEFINE(0, 1)
MR_DEFINE(1, 0)
MR_DEFINE(1, 1)
MR_DEFINE(2, 0)
MR_DEFINE(2, 1)
MR_DEFINE(3, 0)
MR_DEFINE(3, 1)
MR_DEFINE(4, 0)
MR_DEFINE(4, 1)

#define MR_ARGS(a)                                                                                                                                                                                                                                       \
  (a)->lo, (a)->hi, (a)->c1, (a)->h, (a)->g2, (a)->rj, (a)->Nt, (a)->H, (a)->nin > 0 ? (a)->w[0] : 0, (a)->nin > 1 ? (a)->w[1] : 0, (a)->nin > 2 ? (a)->w[2] : 0, (a)->nin > 3 ? (a)->w[3] : 0, (a)->Ih, (a)->Ij, (a)->Dp, (a)->Gp, (a)->ri, (a)->Dc,    \
      (a)->out
#define MR_DISPATCH(KIND, a)                                                                                                                                                                                                                             \
  do {                                                                                                                                                                                                                                                   \
    switch ((a)->nin * 2 + ((a)->input ? 1 : 0)) {                                                                                                                                                                                                       \
    case 0:                                                                                                                                                                                                                                              \
      Mr##KIND##_0_0(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 1:                                                                                                                                                                                                                                              \
      Mr##KIND##_0_1(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 2:                                                                                                                                                                                                                                              \
      Mr##KIND##_1_0(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 3:                                                                                                                                                                                                                                              \
      Mr##KIND##_1_1(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 4:                                                                                                                                                                                                                                              \
      Mr##KIND##_2_0(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 5:                                                                                                                                                                                                                                              \
      Mr##KIND##_2_1(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 6:                                                                                                                                                                                                                                              \
      Mr##KIND##_3_0(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 7:                                                                                                                                                                                                                                              \
      Mr##KIND##_3_1(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 8:                                                                                                                                                                                                                                              \
      Mr##KIND##_4_0(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    case 9:                                                                                                                                                                                                                                              \
      Mr##KIND##_4_1(MR_ARGS(a));                                                                                                                                                                                                                        \
      break;                                                                                                                                                                                                                                             \
    default:                                                                                                                                                                                                                                             \
      return 0;                                                                                                                                                                                                                                          \
    }                                                                                                                                                                                                                                                    \
  } while (0)

/* Returns 0 when nin > 4 (the caller takes the general path). */
MR_INLINE int MrColumnRefBody(const MrColumnArgs *a)
{
  MR_DISPATCH(Ref, a);
  return 1;
}
MR_INLINE int MrColumnFBody(const MrColumnArgs *a)
{
  MR_DISPATCH(F, a);
  return 1;
}

void MrDmftColumnRef_ref(const MrColumnArgs *a)
{
  for (PetscInt i = a->lo; i < a->hi; i++) {
    const double D = a->c1 * a->Dp[i] + a->h * a->Gp[i];
    const double A = MrA(a->nin, a->input, a->Nt, a->H, a->w, a->Ih, a->Ij, i);
    a->Dc[i]       = D;
    a->out[i]      = a->h * (a->g2 == 0 ? A : a->g2 * MrCorrR(a->ri[i], a->rj, D) + A);
  }
}

void MrDmftColumnF_ref(const MrColumnArgs *a)
{
  for (PetscInt i = a->lo; i < a->hi; i++) {
    const double A = MrA(a->nin, a->input, a->Nt, a->H, a->w, a->Ih, a->Ij, i);
    a->out[i]      = a->g2 == 0 ? A : a->g2 * MrCorrR(a->ri[i], a->rj, a->Dc[i]) + A;
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#  define MR_X86 1
__attribute__((target("avx512f,avx512dq,avx512vl,fma"))) static int MrColumnRef_avx512(const MrColumnArgs *a) { return MrColumnRefBody(a); }
__attribute__((target("avx2,fma"))) static int                      MrColumnRef_avx2(const MrColumnArgs *a) { return MrColumnRefBody(a); }
__attribute__((target("avx512f,avx512dq,avx512vl,fma"))) static int MrColumnF_avx512(const MrColumnArgs *a) { return MrColumnFBody(a); }
__attribute__((target("avx2,fma"))) static int                      MrColumnF_avx2(const MrColumnArgs *a) { return MrColumnFBody(a); }
#endif
static int MrColumnRef_portable(const MrColumnArgs *a) { return MrColumnRefBody(a); }
static int MrColumnF_portable(const MrColumnArgs *a) { return MrColumnFBody(a); }

static int MrKernelLevel(void)
{
#ifdef MR_X86
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma")) return 2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
  return 0;
}

const char *MrDmftKernelName(void)
{
  static const char *const names[] = {"portable", "avx2", "avx512"};
  return names[MrKernelLevel()];
}

void MrDmftColumnRef(const MrColumnArgs *a)
{
  int done;
  switch (MrKernelLevel()) {
#ifdef MR_X86
  case 2:
    done = MrColumnRef_avx512(a);
    break;
  case 1:
    done = MrColumnRef_avx2(a);
    break;
#endif
  default:
    done = MrColumnRef_portable(a);
  }
  if (!done) MrDmftColumnRef_ref(a); /* more than four in-channels */
}

void MrDmftColumnF(const MrColumnArgs *a)
{
  int done;
  switch (MrKernelLevel()) {
#ifdef MR_X86
  case 2:
    done = MrColumnF_avx512(a);
    break;
  case 1:
    done = MrColumnF_avx2(a);
    break;
#endif
  default:
    done = MrColumnF_portable(a);
  }
  if (!done) MrDmftColumnF_ref(a);
}

/* The scan in blocks of eight: the prefix of a block by three doubling steps
   (s[k] += c^d s[k-d] for d = 1, 2, 4, zeros shifted in), then G[i+k] = s[k] +
   c^(k+1) G[i-1]; the chain from block to block is one fma. The plain version
   below and the AVX-512 one do the same fma in the same order: the same bits. */
void MrDmftScan_ref(PetscInt lo, PetscInt hi, PetscReal c, const PetscReal cpow[], const PetscReal b[], PetscReal G[])
{
  const double c2 = c * c, c4 = c2 * c2;
  PetscInt     i = lo;
  double       g = G[lo - 1];
  for (; i + 7 <= hi; i += 8) {
    double s1[8], s2[8], s3[8];
    for (int k = 0; k < 8; k++) s1[k] = fma(c, k >= 1 ? b[i + k - 1] : 0.0, b[i + k]);
    for (int k = 0; k < 8; k++) s2[k] = fma(c2, k >= 2 ? s1[k - 2] : 0.0, s1[k]);
    for (int k = 0; k < 8; k++) s3[k] = fma(c4, k >= 4 ? s2[k - 4] : 0.0, s2[k]);
    for (int k = 0; k < 8; k++) G[i + k] = fma(cpow[k + 1], g, s3[k]);
    g = G[i + 7];
  }
  for (; i <= hi; i++) G[i] = g = fma(c, g, b[i]);
}

#ifdef MR_X86
#  include <immintrin.h>
__attribute__((target("avx512f,avx512dq,avx512vl,fma"))) static void MrScan_avx512(PetscInt lo, PetscInt hi, PetscReal c, const PetscReal *cpow, const PetscReal *b, PetscReal *G)
{
  const __m512d cv = _mm512_set1_pd(c), c2v = _mm512_set1_pd(c * c), c4v = _mm512_set1_pd((c * c) * (c * c)), cp = _mm512_loadu_pd(cpow + 1);
  const __m512i zero = _mm512_setzero_si512();
  PetscInt      i    = lo;
  __m512d       g    = _mm512_set1_pd(G[lo - 1]);
  for (; i + 7 <= hi; i += 8) {
    __m512d x = _mm512_loadu_pd(b + i);
    x         = _mm512_fmadd_pd(cv, _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(x), zero, 7)), x);
    x         = _mm512_fmadd_pd(c2v, _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(x), zero, 6)), x);
    x         = _mm512_fmadd_pd(c4v, _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(x), zero, 4)), x);
    x         = _mm512_fmadd_pd(cp, g, x);
    _mm512_storeu_pd(G + i, x);
    g = _mm512_permutexvar_pd(_mm512_set1_epi64(7), x);
  }
  {
    double gs = _mm512_cvtsd_f64(g);
    for (; i <= hi; i++) G[i] = gs = fma(c, gs, b[i]);
  }
}
#endif

void MrDmftScan(PetscInt lo, PetscInt hi, PetscReal c, const PetscReal cpow[], const PetscReal b[], PetscReal G[])
{
#ifdef MR_X86
  if (MrKernelLevel() == 2) {
    MrScan_avx512(lo, hi, c, cpow, b, G);
    return;
  }
#endif
  MrDmftScan_ref(lo, hi, c, cpow, b, G);
}
