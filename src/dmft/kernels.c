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

#define MR_UNPACK                                                                                                                                                                                                                                        \
  const PetscInt Nt = a->Nt, lo = a->lo, hi = a->hi;                                                                                                                                                                                                     \
  const double   c1 = a->c1, h = a->h, g2 = a->g2, rj = a->rj, Ij = a->Ij;                                                                                                                                                                               \
  const double   w0 = a->nin > 0 ? a->w[0] : 0, w1 = a->nin > 1 ? a->w[1] : 0, w2 = a->nin > 2 ? a->w[2] : 0, w3 = a->nin > 3 ? a->w[3] : 0;                                                                                                             \
  const double *restrict H = a->H, *restrict Ih = a->Ih, *restrict Dp = a->Dp, *restrict Gp = a->Gp, *restrict ri = a->ri;                                                                                                                               \
  double *restrict Dc = a->Dc, *restrict out = a->out;                                                                                                                                                                                                   \
  (void)c1;                                                                                                                                                                                                                                              \
  (void)h;                                                                                                                                                                                                                                               \
  (void)w0;                                                                                                                                                                                                                                              \
  (void)w1;                                                                                                                                                                                                                                              \
  (void)w2;                                                                                                                                                                                                                                              \
  (void)w3;                                                                                                                                                                                                                                              \
  (void)Dp;                                                                                                                                                                                                                                              \
  (void)Gp;                                                                                                                                                                                                                                              \
  (void)Ih;                                                                                                                                                                                                                                              \
  (void)H;                                                                                                                                                                                                                                               \
  (void)lo;                                                                                                                                                                                                                                              \
  (void)hi

/* the loops for one (nin, input) pair; g2 == 0: no Gaussian integral at all */
#define MR_REF_LOOP(NIN, INPUT)                                                                                                                                                                                                                          \
  do {                                                                                                                                                                                                                                                   \
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
  } while (0)
#define MR_F_LOOP(NIN, INPUT)                                                                                                                                                                                                                            \
  do {                                                                                                                                                                                                                                                   \
    if (g2 == 0)                                                                                                                                                                                                                                         \
      for (PetscInt i = lo; i < hi; i++) out[i] = MR_A(NIN, INPUT, i);                                                                                                                                                                                   \
    else                                                                                                                                                                                                                                                 \
      for (PetscInt i = lo; i < hi; i++) out[i] = g2 * MrCorrR(ri[i], rj, Dc[i]) + MR_A(NIN, INPUT, i);                                                                                                                                                  \
  } while (0)
#define MR_DISPATCH_NIN(LOOP)                                                                                                                                                                                                                            \
  do {                                                                                                                                                                                                                                                   \
    switch (a->nin) {                                                                                                                                                                                                                                    \
    case 0:                                                                                                                                                                                                                                              \
      if (a->input)                                                                                                                                                                                                                                      \
        LOOP(0, 1);                                                                                                                                                                                                                                      \
      else                                                                                                                                                                                                                                               \
        LOOP(0, 0);                                                                                                                                                                                                                                      \
      break;                                                                                                                                                                                                                                             \
    case 1:                                                                                                                                                                                                                                              \
      if (a->input)                                                                                                                                                                                                                                      \
        LOOP(1, 1);                                                                                                                                                                                                                                      \
      else                                                                                                                                                                                                                                               \
        LOOP(1, 0);                                                                                                                                                                                                                                      \
      break;                                                                                                                                                                                                                                             \
    case 2:                                                                                                                                                                                                                                              \
      if (a->input)                                                                                                                                                                                                                                      \
        LOOP(2, 1);                                                                                                                                                                                                                                      \
      else                                                                                                                                                                                                                                               \
        LOOP(2, 0);                                                                                                                                                                                                                                      \
      break;                                                                                                                                                                                                                                             \
    case 3:                                                                                                                                                                                                                                              \
      if (a->input)                                                                                                                                                                                                                                      \
        LOOP(3, 1);                                                                                                                                                                                                                                      \
      else                                                                                                                                                                                                                                               \
        LOOP(3, 0);                                                                                                                                                                                                                                      \
      break;                                                                                                                                                                                                                                             \
    case 4:                                                                                                                                                                                                                                              \
      if (a->input)                                                                                                                                                                                                                                      \
        LOOP(4, 1);                                                                                                                                                                                                                                      \
      else                                                                                                                                                                                                                                               \
        LOOP(4, 0);                                                                                                                                                                                                                                      \
      break;                                                                                                                                                                                                                                             \
    default:                                                                                                                                                                                                                                             \
      return 0;                                                                                                                                                                                                                                          \
    }                                                                                                                                                                                                                                                    \
  } while (0)

/* Returns 0 when nin > 4 (the caller takes the general path). */
MR_INLINE int MrColumnRefBody(const MrColumnArgs *a)
{
  MR_UNPACK;
  MR_DISPATCH_NIN(MR_REF_LOOP);
  return 1;
}
MR_INLINE int MrColumnFBody(const MrColumnArgs *a)
{
  MR_UNPACK;
  MR_DISPATCH_NIN(MR_F_LOOP);
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
