#include <mrdyn/error.h>
#include "util.h"

PetscErrorCode MrShareStatus(MPI_Comm comm, PetscBool ok, const char msg[])
{
  struct {
    int  ok;
    char msg[1024];
  } st;

  PetscFunctionBegin;
  st.ok     = ok ? 1 : 0;
  st.msg[0] = 0;
  if (!ok && msg) PetscCall(PetscStrncpy(st.msg, msg, sizeof(st.msg)));
  PetscCallMPI(MPI_Bcast(&st, (int)sizeof(st), MPI_BYTE, 0, comm));
  MrCheckInput(comm, st.ok, "%s", st.msg);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLogStage(const char name[], PetscLogStage *stage)
{
  PetscFunctionBegin;
  PetscCall(PetscLogStageGetId(name, stage));
  if (*stage < 0) PetscCall(PetscLogStageRegister(name, stage));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLogEvent(const char name[], PetscClassId cls, PetscLogEvent *ev)
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventGetId(name, ev));
  if (*ev < 0) PetscCall(PetscLogEventRegister(name, cls, ev));
  PetscFunctionReturn(PETSC_SUCCESS);
}
