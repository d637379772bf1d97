/* Private: the ScaLAPACK/BLACS routines mrdyn calls (Debian's libscalapack-openmpi
   2.2: Fortran symbols with a trailing underscore, 32-bit integers, and the
   hidden lengths of CHARACTER arguments appended as size_t), and a BLACS grid
   built from the run's communicator. */
#pragma once
#include <mrdyn/error.h>
#include <stddef.h>

/* BLACS C interface */
int  Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int *ctxt, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ctxt, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int ctxt);
void Cdgsum2d(int ctxt, const char *scope, const char *top, int m, int n, double *A, int lda, int rdest, int cdest);

/* tools */
int  numroc_(const int *n, const int *nb, const int *iproc, const int *isrcproc, const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb, const int *irsrc, const int *icsrc, const int *ictxt, const int *lld, int *info);

/* nonsymmetric eigenvalues: Hessenberg reduction, then the Schur form */
void pdgehrd_(const int *n, const int *ilo, const int *ihi, double *a, const int *ia, const int *ja, const int *desca, double *tau, double *work, const int *lwork, int *info);
void pdlahqr_(const int *wantt, const int *wantz, const int *n, const int *ilo, const int *ihi, double *a, const int *desca, double *wr, double *wi, const int *iloz, const int *ihiz, double *z, const int *descz, double *work, const int *lwork,
              int *iwork, const int *ilwork, int *info);

/* the gathered path: LAPACK on one rank, and ScaLAPACK's copy between grids */
void dgehrd_(const int *n, const int *ilo, const int *ihi, double *a, const int *lda, double *tau, double *work, const int *lwork, int *info);
void dhseqr_(const char *job, const char *compz, const int *n, const int *ilo, const int *ihi, double *h, const int *ldh, double *wr, double *wi, double *z, const int *ldz, double *work, const int *lwork, int *info, size_t ljob, size_t lcompz);
void pdgemr2d_(const int *m, const int *n, const double *a, const int *ia, const int *ja, const int *desca, double *b, const int *ib, const int *jb, const int *descb, const int *ictxt);

/* symmetric eigenvalues, products, QR */
void pdsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *ia, const int *ja, const int *desca, double *w, double *z, const int *iz, const int *jz, const int *descz, double *work, const int *lwork, int *iwork,
              const int *liwork, int *info, size_t ljobz, size_t luplo);
void pdsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *ia, const int *ja, const int *desca, double *w, double *z, const int *iz, const int *jz, const int *descz, double *work, const int *lwork, int *info, size_t ljobz,
             size_t luplo);
void pdgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k, const double *alpha, const double *a, const int *ia, const int *ja, const int *desca, const double *b, const int *ib, const int *jb, const int *descb,
             const double *beta, double *c, const int *ic, const int *jc, const int *descc, size_t lta, size_t ltb);
void pdsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha, const double *a, const int *ia, const int *ja, const int *desca, const double *beta, double *c, const int *ic, const int *jc, const int *descc,
             size_t luplo, size_t ltrans);
void pdgeqrf_(const int *m, const int *n, double *a, const int *ia, const int *ja, const int *desca, double *tau, double *work, const int *lwork, int *info);

/* Every ScaLAPACK info is checked: the routine's name and info in the message. */
#define PetscCallScaLAPACK(name, info) PetscCheck((info) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ScaLAPACK %s failed: info = %d", name, (int)(info))

/* A BLACS process grid over a communicator (every rank of it takes part). */
typedef struct {
  MPI_Comm comm;
  int      handle, ctxt; /* system handle and grid context */
  int      nprow, npcol, myrow, mycol;
} MrBlacsGrid;

/* Near-square nprow x npcol = P grid (nprow <= npcol). Collective. */
PETSC_INTERN PetscErrorCode MrBlacsGridCreate(MPI_Comm comm, MrBlacsGrid *grid);
PETSC_INTERN PetscErrorCode MrBlacsGridDestroy(MrBlacsGrid *grid);
/* Grid shape that MrBlacsGridCreate would choose for P ranks (for memory estimates). */
PETSC_INTERN void MrBlacsGridShape(int P, int *nprow, int *npcol);

/* 2D block-cyclic placement (source process 0, square blocks nb). */
static inline int MrBcLocal(int g, int nb, int nprocs) { return (g / (nb * nprocs)) * nb + g % nb; }
static inline int MrBcOwner(int g, int nb, int nprocs) { return (g / nb) % nprocs; }
static inline int MrBcGlobal(int l, int nb, int iproc, int nprocs) { return ((l / nb) * nprocs + iproc) * nb + l % nb; }

/* Bytes the ranks of the busiest node need when each needs `mine`, and the
   smallest node's memory (the layout's query, on a one-neuron layout of comm).
   Collective. */
PETSC_INTERN PetscErrorCode MrAnalysisNodeMemory(MPI_Comm comm, PetscReal mine, PetscReal *node, PetscReal *phys);

/* The number of ranks of comm on rank 0's node and of the cores they may run on
   (the same on every rank), and (rank 0 only, when cpus0 is given) the set of
   those cores, a cpu_set_t (sched.h with _GNU_SOURCE). Collective. */
PETSC_INTERN PetscErrorCode MrAnalysisNodeRanks(MPI_Comm comm, PetscMPIInt *nrank0, PetscMPIInt *ncpu0, void *cpus0);

/* Local size and descriptor of an m x n matrix with square blocks nb on the grid. */
PETSC_INTERN PetscErrorCode MrBlacsDescriptor(const MrBlacsGrid *grid, int m, int n, int nb, int desc[9], int *mloc, int *nloc);
