/* The fit of one block of an imported W (docs/weights.md, docs/model.md section 7):
   SVD, the rank against the bulk edge of a random block, and the corrections of
   the spiked random-matrix model (Benaych-Georges & Nadakuditi 2012) that turn
   the fitted singular values and vectors into the signal's. */
#include "weights_impl.h"
#include <math.h>

PetscReal MrMarchenkoPasturMedian(PetscReal beta)
{
  /* lambda = lm + (lp - lm)(1 - cos t)/2 removes the square-root ends of the density */
  const int       M  = 4000;
  const PetscReal lm = PetscSqr(1 - PetscSqrtReal(beta)), lp = PetscSqr(1 + PetscSqrtReal(beta)), h = (lp - lm) / 2;
  PetscReal       total = 0, cum = 0, prev = lm;

  for (int k = 0; k < M; k++) {
    PetscReal t = (k + 0.5) * PETSC_PI / M, lam = lm + h * (1 - PetscCosReal(t));
    total += h * h * PetscSqr(PetscSinReal(t)) / (2 * PETSC_PI * beta * lam);
  }
  for (int k = 0; k < M; k++) {
    PetscReal t = (k + 0.5) * PETSC_PI / M, lam = lm + h * (1 - PetscCosReal(t)), w = h * h * PetscSqr(PetscSinReal(t)) / (2 * PETSC_PI * beta * lam);
    PetscReal hi = lm + h * (1 - PetscCosReal((k + 1.0) * PETSC_PI / M));
    if (cum + w >= 0.5 * total) return prev + (hi - prev) * (0.5 * total - cum) / w;
    cum += w;
    prev = hi;
  }
  return lp;
}

/* The spiked model B = theta u v^T + noise (a x b, i.i.d. entries of variance sigma2):
   a singular value s above the bulk comes from the signal theta; the fitted vectors
   have cosines cl (left) and cr (right) with u and v (Gavish & Donoho 2017, eqs. 8-10,
   with beta = a/b and the noise scaled to variance 1/b). False inside the bulk. */
static PetscBool MrSpike(PetscReal s, PetscReal sigma2, PetscInt a, PetscInt b, PetscReal *theta, PetscReal *cl, PetscReal *cr, PetscReal *detect)
{
  const PetscReal beta = (PetscReal)a / (PetscReal)b, scale = PetscSqrtReal(sigma2 * b), y = s / scale, d = y * y - 1 - beta, disc = d * d - 4 * beta;
  PetscReal       x2, x4;

  if (!(d > 0) || disc < 0) return PETSC_FALSE;
  x2 = 0.5 * (d + PetscSqrtReal(disc));
  x4 = x2 * x2;
  if (x4 <= beta) return PETSC_FALSE;
  *theta  = PetscSqrtReal(x2) * scale;
  *cl     = PetscSqrtReal((x4 - beta) / (x4 + beta * x2));
  *cr     = PetscSqrtReal((x4 - beta) / (x4 + x2));
  *detect = PetscSqrtReal(x2) / PetscPowReal(beta, 0.25);
  return PETSC_TRUE;
}

PetscErrorCode MrFitBlock(PetscReal *B, PetscInt a, PetscInt b, PetscBool diag, PetscReal eps, PetscInt rule, PetscInt rankMax, MrBlockFit *bf, PetscReal **Jout)
{
  const PetscInt nsv = PetscMin(a, b), big = PetscMax(a, b);
  PetscReal     *A, *Umat, *VT, *work, wq, resid = 0, med;
  int            ia = (int)a, ib = (int)b, ins = (int)nsv, lwork = -1, info, *iwork;
  PetscInt       K;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(bf, sizeof(*bf)));
  *Jout    = NULL;
  bf->a    = a;
  bf->b    = b;
  bf->nsv  = nsv;
  bf->diag = diag;
  PetscCheck(a < PETSC_MPI_INT_MAX / PetscMax(b, 1), PETSC_COMM_SELF, PETSC_ERR_SUP, "block %" PetscInt_FMT " x %" PetscInt_FMT " is too large for LAPACK", a, b);
  PetscCall(PetscMalloc3((size_t)a * b, &A, (size_t)a * nsv, &Umat, (size_t)nsv * b, &VT));
  PetscCall(PetscMalloc1(nsv, &bf->sv));
  PetscCall(PetscArraycpy(A, B, (size_t)a * b));
  PetscCall(PetscMalloc1(8 * nsv, &iwork));
  dgesdd_("S", &ia, &ib, A, &ia, bf->sv, Umat, &ia, VT, &ins, &wq, &lwork, iwork, &info, 1);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dgesdd (workspace query) failed: %d", info);
  lwork = (int)wq + 1;
  PetscCall(PetscMalloc1(lwork, &work));
  dgesdd_("S", &ia, &ib, A, &ia, bf->sv, Umat, &ia, VT, &ins, work, &lwork, iwork, &info, 1);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dgesdd failed to converge (info %d) on a %" PetscInt_FMT " x %" PetscInt_FMT " block", info, a, b);
  PetscCall(PetscFree(work));
  PetscCall(PetscFree(iwork));

  for (PetscInt k = 0; k < nsv; k++) bf->norm2 += bf->sv[k] * bf->sv[k];
  bf->roundThr = (PetscReal)big * eps * bf->sv[0];
  for (K = 0; K < nsv && bf->sv[K] > bf->roundThr; K++) {
  }
  bf->exact = K;
  /* the noise level from the median singular value: robust to the few outliers */
  med          = nsv % 2 ? bf->sv[nsv / 2] : 0.5 * (bf->sv[nsv / 2 - 1] + bf->sv[nsv / 2]);
  bf->sigmaMed = med / PetscSqrtReal((PetscReal)big * MrMarchenkoPasturMedian((PetscReal)nsv / (PetscReal)big));
  bf->edge     = bf->sigmaMed * (PetscSqrtReal((PetscReal)a) + PetscSqrtReal((PetscReal)b));
  {
    /* 3 Tracy-Widom scales above the edge: a random block exceeds it with probability ~ 1e-3 */
    PetscReal tw = PetscPowReal(1 / PetscSqrtReal((PetscReal)a) + 1 / PetscSqrtReal((PetscReal)b), 1.0 / 3) / (2 * (PetscSqrtReal((PetscReal)a) + PetscSqrtReal((PetscReal)b)));
    bf->thr      = PetscMax(bf->edge * (1 + 3 * tw), bf->roundThr);
  }
  if (rule == MR_RANK_AUTO) {
    for (K = 0; K < nsv && bf->sv[K] > bf->thr; K++) {
    }
    if (K > rankMax) {
      K = rankMax;
      bf->flags |= MR_FIT_CAPPED;
    }
  } else
    K = PetscMin(rule, bf->exact);
  bf->rank = K;

  /* the residual's variance; the components removed also took disorder with them
     (s_k^2 - theta_k^2 each), which is added back */
  for (PetscInt k = K; k < nsv; k++) resid += bf->sv[k] * bf->sv[k];
  bf->sigma2Raw = resid / ((PetscReal)a * b);
  bf->sigma2    = 0;
  if (bf->exact > K) {
    PetscReal s2 = bf->sigma2Raw;
    for (int it = 0; it < 200; it++) {
      PetscReal leak = 0, next;
      for (PetscInt k = 0; k < K; k++) {
        PetscReal th, cl, cr, x;
        leak += MrSpike(bf->sv[k], s2, a, b, &th, &cl, &cr, &x) ? bf->sv[k] * bf->sv[k] - th * th : bf->sv[k] * bf->sv[k];
      }
      next = (resid + leak) / ((PetscReal)a * b);
      if (PetscAbsReal(next - s2) <= 1e-14 * next) {
        s2 = next;
        break;
      }
      s2 = next;
    }
    bf->sigma2 = s2;
  }
  PetscCall(PetscMalloc5(K + 1, &bf->theta, K + 1, &bf->cl, K + 1, &bf->cr, K + 1, &bf->detect, 2 * K + 1, &bf->kurt));
  for (PetscInt k = 0; k < K; k++) {
    if (bf->sigma2 > 0) {
      if (!MrSpike(bf->sv[k], bf->sigma2, a, b, &bf->theta[k], &bf->cl[k], &bf->cr[k], &bf->detect[k])) {
        bf->theta[k] = bf->sv[k];
        bf->cl[k] = bf->cr[k] = 1;
        bf->detect[k]         = 0;
        bf->flags |= MR_FIT_IN_BULK;
      } else if (bf->detect[k] < 1.5)
        bf->flags |= MR_FIT_WEAK;
    } else {
      bf->theta[k] = bf->sv[k];
      bf->cl[k] = bf->cr[k] = 1;
      bf->detect[k]         = INFINITY;
    }
  }
  bf->explained = bf->norm2 > 0 ? 1 - resid / bf->norm2 : 1;
  bf->rho       = NAN;
  if (bf->exact > K) {
    PetscReal s4 = 0;
    for (PetscInt k = K; k < nsv; k++) s4 += PetscSqr(bf->sv[k] * bf->sv[k]);
    bf->rho = s4 * (PetscReal)a * b / (resid * resid * (PetscReal)(a + b));
    if (resid > 1e-3 * bf->norm2 && PetscAbsReal(bf->rho - 1) > 0.25) bf->flags |= MR_FIT_NOT_RANDOM;
    if (!diag) bf->flags |= MR_FIT_CROSS;
  }
  /* the vectors kept: the theory's (and, off the diagonal, the exact rest) */
  bf->keep = diag ? K : bf->exact;
  PetscCall(PetscMalloc2((size_t)a * bf->keep + 1, &bf->U, (size_t)b * bf->keep + 1, &bf->V));
  for (PetscInt k = 0; k < bf->keep; k++) {
    for (PetscInt i = 0; i < a; i++) bf->U[(size_t)k * a + i] = Umat[(size_t)k * a + i];
    for (PetscInt j = 0; j < b; j++) bf->V[(size_t)k * b + j] = VT[(size_t)j * nsv + k];
  }
  for (PetscInt k = 0; k < K; k++) {
    PetscReal u4 = 0, v4 = 0;
    for (PetscInt i = 0; i < a; i++) u4 += PetscSqr(PetscSqr(bf->U[(size_t)k * a + i]));
    for (PetscInt j = 0; j < b; j++) v4 += PetscSqr(PetscSqr(bf->V[(size_t)k * b + j]));
    bf->kurt[2 * k]     = a * u4;
    bf->kurt[2 * k + 1] = b * v4;
    if (PetscMin(a, b) >= 50 && (PetscAbsReal(a * u4 - 3) > 1 || PetscAbsReal(b * v4 - 3) > 1)) bf->flags |= MR_FIT_NONGAUSS;
  }
  if (diag && bf->exact > K) {
    PetscReal *J;
    PetscCall(PetscMalloc1((size_t)a * b, &J));
    for (PetscInt i = 0; i < a; i++)
      for (PetscInt j = 0; j < b; j++) {
        PetscReal v = B[(size_t)j * a + i];
        for (PetscInt k = 0; k < K; k++) v -= bf->sv[k] * bf->U[(size_t)k * a + i] * bf->V[(size_t)k * b + j];
        J[(size_t)i * b + j] = v;
      }
    *Jout = J;
  }
  PetscCall(PetscFree3(A, Umat, VT));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrBlockFitDestroy(MrBlockFit *bf)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(bf->sv));
  PetscCall(PetscFree2(bf->U, bf->V));
  PetscCall(PetscFree5(bf->theta, bf->cl, bf->cr, bf->detect, bf->kurt));
  PetscCall(PetscMemzero(bf, sizeof(*bf)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

#define MR_FIT_NINT 9
#define MR_FIT_NREAL 9

PetscErrorCode MrBlockFitPack(const MrBlockFit *bf, const PetscReal *J, PetscInt *len, PetscReal **buf)
{
  const PetscInt K = bf->rank, a = bf->a, b = bf->b;
  PetscInt       n = MR_FIT_NINT + MR_FIT_NREAL + bf->nsv + (a + b) * bf->keep + 6 * K + (J ? a * b : 0), p = 0;
  PetscReal     *v;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(n, &v));
  {
    const PetscInt  iv[MR_FIT_NINT]  = {a, b, bf->nsv, bf->exact, K, bf->keep, bf->flags, bf->diag, J != NULL};
    const PetscReal rv[MR_FIT_NREAL] = {bf->roundThr, bf->sigmaMed, bf->edge, bf->thr, bf->sigma2Raw, bf->sigma2, bf->norm2, bf->explained, bf->rho};
    for (int k = 0; k < MR_FIT_NINT; k++) v[p++] = (PetscReal)iv[k]; /* exact below 2^53 */
    for (int k = 0; k < MR_FIT_NREAL; k++) v[p++] = rv[k];
  }
  PetscCall(PetscArraycpy(v + p, bf->sv, bf->nsv));
  p += bf->nsv;
  PetscCall(PetscArraycpy(v + p, bf->U, a * bf->keep));
  p += a * bf->keep;
  PetscCall(PetscArraycpy(v + p, bf->V, b * bf->keep));
  p += b * bf->keep;
  PetscCall(PetscArraycpy(v + p, bf->theta, K));
  PetscCall(PetscArraycpy(v + p + K, bf->cl, K));
  PetscCall(PetscArraycpy(v + p + 2 * K, bf->cr, K));
  PetscCall(PetscArraycpy(v + p + 3 * K, bf->detect, K));
  PetscCall(PetscArraycpy(v + p + 4 * K, bf->kurt, 2 * K));
  p += 6 * K;
  if (J) PetscCall(PetscArraycpy(v + p, J, a * b));
  *len = n;
  *buf = v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrBlockFitUnpack(const PetscReal *v, MrBlockFit *bf, PetscReal **J)
{
  PetscInt iv[MR_FIT_NINT], p = 0, K, a, b;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(bf, sizeof(*bf)));
  for (int k = 0; k < MR_FIT_NINT; k++) iv[k] = (PetscInt)v[p++];
  bf->a = a = iv[0];
  bf->b = b = iv[1];
  bf->nsv   = iv[2];
  bf->exact = iv[3];
  bf->rank = K  = iv[4];
  bf->keep      = iv[5];
  bf->flags     = iv[6];
  bf->diag      = (PetscBool)iv[7];
  bf->roundThr  = v[p++];
  bf->sigmaMed  = v[p++];
  bf->edge      = v[p++];
  bf->thr       = v[p++];
  bf->sigma2Raw = v[p++];
  bf->sigma2    = v[p++];
  bf->norm2     = v[p++];
  bf->explained = v[p++];
  bf->rho       = v[p++];
  PetscCall(PetscMalloc1(bf->nsv, &bf->sv));
  PetscCall(PetscMalloc2((size_t)a * bf->keep + 1, &bf->U, (size_t)b * bf->keep + 1, &bf->V));
  PetscCall(PetscMalloc5(K + 1, &bf->theta, K + 1, &bf->cl, K + 1, &bf->cr, K + 1, &bf->detect, 2 * K + 1, &bf->kurt));
  PetscCall(PetscArraycpy(bf->sv, v + p, bf->nsv));
  p += bf->nsv;
  PetscCall(PetscArraycpy(bf->U, v + p, a * bf->keep));
  p += a * bf->keep;
  PetscCall(PetscArraycpy(bf->V, v + p, b * bf->keep));
  p += b * bf->keep;
  PetscCall(PetscArraycpy(bf->theta, v + p, K));
  PetscCall(PetscArraycpy(bf->cl, v + p + K, K));
  PetscCall(PetscArraycpy(bf->cr, v + p + 2 * K, K));
  PetscCall(PetscArraycpy(bf->detect, v + p + 3 * K, K));
  PetscCall(PetscArraycpy(bf->kurt, v + p + 4 * K, 2 * K));
  p += 6 * K;
  *J = NULL;
  if (iv[8]) {
    PetscCall(PetscMalloc1((size_t)a * b, J));
    PetscCall(PetscArraycpy(*J, v + p, a * b));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
