/* The cross-region exchange: the only place where projections cross ranks.
   Receiver q of region r gets channel c (source s) from rank
   first[s] + ((q - first[r]) mod nranks[s]); ranks of region s's own group
   computed it already. Every rank derives the whole plan from the layout. */
#include <mrdyn/exchange.h>
#include <mrdyn/error.h>

struct _p_MrExchange {
  MrLayout     layout;
  MPI_Comm     gcomm; /* distributed graph communicator */
  PetscMPIInt  nsend, nrecv, *sendRanks, *recvRanks;
  PetscMPIInt *sendCounts, *sendDispls, *recvCounts, *recvDispls;
  PetscInt    *sendCh, *recvCh;
  PetscReal   *sendBuf, *recvBuf;
  MPI_Request  req;
  PetscBool    pending;
  PetscInt     width;                 /* values per channel (trials) */
  PetscMPIInt *wsc, *wsd, *wrc, *wrd; /* counts and displacements times width */
};

typedef struct {
  PetscMPIInt rank;
  PetscInt    ch;
} MrPair;

static int MrPairCmp(const void *a, const void *b)
{
  const MrPair *x = (const MrPair *)a, *y = (const MrPair *)b;
  if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
  return (x->ch > y->ch) - (x->ch < y->ch);
}

static PetscBool MrInGroup(MrLayout L, PetscInt r, PetscMPIInt q) { return (PetscBool)(q >= L->first[r] && q < L->first[r] + L->nranks[r]); }

/* Turns a sorted pair list into neighbour ranks, counts, displacements and channels. */
static PetscErrorCode MrPlan(PetscInt n, const MrPair *p, PetscMPIInt *nnb, PetscMPIInt **ranks, PetscMPIInt **counts, PetscMPIInt **displs, PetscInt **ch)
{
  PetscMPIInt k = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < n; i++)
    if (i == 0 || p[i].rank != p[i - 1].rank) k++;
  *nnb = k;
  PetscCall(PetscMalloc4(k + 1, ranks, k + 1, counts, k + 1, displs, n + 1, ch));
  k = -1;
  for (PetscInt i = 0; i < n; i++) {
    if (i == 0 || p[i].rank != p[i - 1].rank) {
      k++;
      (*ranks)[k]  = p[i].rank;
      (*counts)[k] = 0;
      (*displs)[k] = (PetscMPIInt)i;
    }
    (*counts)[k]++;
    (*ch)[i] = p[i].ch;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrExchangeCreate(MrLayout L, MrModel m, MrExchange *exp)
{
  MrExchange ex;
  MrPair    *sp, *rp;
  PetscInt   ns = 0, nr = 0, capS = 0, capR = 0;

  PetscFunctionBegin;
  PetscCall(PetscNew(&ex));
  ex->layout = L;
  for (PetscInt k = 0; k < L->nslices; k++) {
    PetscInt s = L->slice[k].region;
    for (PetscInt i = m->outOff[s]; i < m->outOff[s + 1]; i++) capS += L->nranks[m->target[m->outCh[i]]];
    capR += m->inOff[s + 1] - m->inOff[s];
  }
  PetscCall(PetscMalloc2(capS + 1, &sp, capR + 1, &rp));
  for (PetscInt k = 0; k < L->nslices; k++) {
    const MrSlice *sl = &L->slice[k];
    PetscInt       s  = sl->region;
    /* as sender: out-channels of s to the ranks of each target group it serves */
    for (PetscInt i = m->outOff[s]; i < m->outOff[s + 1]; i++) {
      PetscInt c = m->outCh[i], r = m->target[c];
      for (PetscMPIInt q = L->first[r]; q < L->first[r] + L->nranks[r]; q++) {
        if (MrInGroup(L, s, q)) continue;
        if ((q - L->first[r]) % sl->gsize != sl->grank) continue;
        sp[ns].rank = q;
        sp[ns++].ch = c;
      }
    }
    /* as receiver: in-channels of this region (now called r) from other groups */
    PetscInt r = s;
    for (PetscInt i = m->inOff[r]; i < m->inOff[r + 1]; i++) {
      PetscInt c = m->inCh[i], src = m->source[c];
      if (MrInGroup(L, src, L->rank)) continue;
      rp[nr].rank = L->first[src] + (L->rank - L->first[r]) % L->nranks[src];
      rp[nr++].ch = c;
    }
  }
  qsort(sp, (size_t)ns, sizeof(MrPair), MrPairCmp);
  qsort(rp, (size_t)nr, sizeof(MrPair), MrPairCmp);
  PetscCall(MrPlan(ns, sp, &ex->nsend, &ex->sendRanks, &ex->sendCounts, &ex->sendDispls, &ex->sendCh));
  PetscCall(MrPlan(nr, rp, &ex->nrecv, &ex->recvRanks, &ex->recvCounts, &ex->recvDispls, &ex->recvCh));
  PetscCall(PetscFree2(sp, rp));
  PetscCall(PetscMalloc2(ns + 1, &ex->sendBuf, nr + 1, &ex->recvBuf));
  ex->width = 1;
  PetscCall(PetscMalloc4(ex->nsend + 1, &ex->wsc, ex->nsend + 1, &ex->wsd, ex->nrecv + 1, &ex->wrc, ex->nrecv + 1, &ex->wrd));
  for (PetscMPIInt k = 0; k < ex->nsend; k++) {
    ex->wsc[k] = ex->sendCounts[k];
    ex->wsd[k] = ex->sendDispls[k];
  }
  for (PetscMPIInt k = 0; k < ex->nrecv; k++) {
    ex->wrc[k] = ex->recvCounts[k];
    ex->wrd[k] = ex->recvDispls[k];
  }
  PetscCallMPI(MPI_Dist_graph_create_adjacent(L->comm, ex->nrecv, ex->recvRanks, MPI_UNWEIGHTED, ex->nsend, ex->sendRanks, MPI_UNWEIGHTED, MPI_INFO_NULL, 0, &ex->gcomm));
  *exp = ex;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrExchangeDestroy(MrExchange *exp)
{
  MrExchange ex = *exp;

  PetscFunctionBegin;
  if (!ex) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCallMPI(MPI_Comm_free(&ex->gcomm));
  PetscCall(PetscFree4(ex->sendRanks, ex->sendCounts, ex->sendDispls, ex->sendCh));
  PetscCall(PetscFree4(ex->recvRanks, ex->recvCounts, ex->recvDispls, ex->recvCh));
  PetscCall(PetscFree2(ex->sendBuf, ex->recvBuf));
  PetscCall(PetscFree4(ex->wsc, ex->wsd, ex->wrc, ex->wrd));
  PetscCall(PetscFree(ex));
  *exp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrExchangeSetWidth(MrExchange ex, PetscInt width)
{
  PetscInt ns = ex->nsend ? ex->sendDispls[ex->nsend - 1] + ex->sendCounts[ex->nsend - 1] : 0;
  PetscInt nr = ex->nrecv ? ex->recvDispls[ex->nrecv - 1] + ex->recvCounts[ex->nrecv - 1] : 0;

  PetscFunctionBegin;
  PetscCheck(width >= 1 && !ex->pending, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "bad exchange width");
  ex->width = width;
  for (PetscMPIInt k = 0; k < ex->nsend; k++) {
    ex->wsc[k] = (PetscMPIInt)(ex->sendCounts[k] * width);
    ex->wsd[k] = (PetscMPIInt)(ex->sendDispls[k] * width);
  }
  for (PetscMPIInt k = 0; k < ex->nrecv; k++) {
    ex->wrc[k] = (PetscMPIInt)(ex->recvCounts[k] * width);
    ex->wrd[k] = (PetscMPIInt)(ex->recvDispls[k] * width);
  }
  PetscCall(PetscFree2(ex->sendBuf, ex->recvBuf));
  PetscCall(PetscMalloc2(ns * width + 1, &ex->sendBuf, nr * width + 1, &ex->recvBuf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrExchangeBegin(MrExchange ex, const PetscReal sbar[])
{
  PetscInt ns = ex->nsend ? ex->sendDispls[ex->nsend - 1] + ex->sendCounts[ex->nsend - 1] : 0, w = ex->width;

  PetscFunctionBegin;
  PetscCheck(!ex->pending, PETSC_COMM_SELF, PETSC_ERR_ORDER, "an exchange is already under way");
  for (PetscInt i = 0; i < ns; i++)
    for (PetscInt k = 0; k < w; k++) ex->sendBuf[i * w + k] = sbar[ex->sendCh[i] * w + k];
  PetscCallMPI(MPI_Ineighbor_alltoallv(ex->sendBuf, ex->wsc, ex->wsd, MPIU_REAL, ex->recvBuf, ex->wrc, ex->wrd, MPIU_REAL, ex->gcomm, &ex->req));
  ex->pending = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrExchangeEnd(MrExchange ex, PetscReal sbar[])
{
  PetscInt nr = ex->nrecv ? ex->recvDispls[ex->nrecv - 1] + ex->recvCounts[ex->nrecv - 1] : 0, w = ex->width;

  PetscFunctionBegin;
  PetscCheck(ex->pending, PETSC_COMM_SELF, PETSC_ERR_ORDER, "no exchange under way");
  PetscCallMPI(MPI_Wait(&ex->req, MPI_STATUS_IGNORE));
  ex->pending = PETSC_FALSE;
  for (PetscInt i = 0; i < nr; i++)
    for (PetscInt k = 0; k < w; k++) sbar[ex->recvCh[i] * w + k] = ex->recvBuf[i * w + k];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrExchangeDo(MrExchange ex, PetscReal sbar[])
{
  PetscFunctionBegin;
  PetscCall(MrExchangeBegin(ex, sbar));
  PetscCall(MrExchangeEnd(ex, sbar));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrExchangeStats(MrExchange ex, PetscInt64 *bytes, PetscInt64 *messages, PetscInt64 *totalBytes, PetscInt64 *totalMessages)
{
  PetscInt64 loc[2] = {0, ex->nsend}, tot[2];

  PetscFunctionBegin;
  for (PetscMPIInt k = 0; k < ex->nsend; k++) loc[0] += (PetscInt64)ex->wsc[k] * (PetscInt64)sizeof(PetscReal);
  PetscCallMPI(MPI_Allreduce(loc, tot, 2, MPIU_INT64, MPI_SUM, ex->layout->comm));
  if (bytes) *bytes = loc[0];
  if (messages) *messages = loc[1];
  if (totalBytes) *totalBytes = tot[0];
  if (totalMessages) *totalMessages = tot[1];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrExchangeDegree(MrExchange ex, PetscMPIInt *indeg, PetscMPIInt *outdeg)
{
  PetscFunctionBegin;
  *indeg  = ex->nrecv;
  *outdeg = ex->nsend;
  PetscFunctionReturn(PETSC_SUCCESS);
}
