#include <mrdyn/error.h>

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
