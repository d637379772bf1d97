#include "util.h"
#include <stdlib.h>
#include <string.h>
#include <math.h>

PetscBool MrParseRealList(const char s[], PetscInt *n, PetscReal **v)
{
  PetscInt    cap = 8, k = 0;
  const char *p = s;
  PetscReal  *a = (PetscReal *)malloc(sizeof(PetscReal) * (size_t)cap);

  *n = 0;
  *v = NULL;
  if (!a) return PETSC_FALSE;
  while (*p) {
    char  *end;
    double x = strtod(p, &end);
    if (end == p || !isfinite(x)) break;
    if (k == cap) {
      cap *= 2;
      a = (PetscReal *)realloc(a, sizeof(PetscReal) * (size_t)cap);
      if (!a) return PETSC_FALSE;
    }
    a[k++] = x;
    p      = end;
    if (*p == ',')
      p++;
    else if (*p)
      break;
    else {
      *n = k;
      *v = a;
      return PETSC_TRUE;
    }
  }
  free(a);
  return PETSC_FALSE;
}

PetscInt MrEditDistance(const char a[], const char b[])
{
  size_t   la = strlen(a), lb = strlen(b);
  PetscInt d[64], e[64];
  if (la > 62 || lb > 62) return 99;
  for (size_t j = 0; j <= lb; j++) d[j] = (PetscInt)j;
  for (size_t i = 1; i <= la; i++) {
    e[0] = (PetscInt)i;
    for (size_t j = 1; j <= lb; j++) {
      PetscInt c = d[j - 1] + (a[i - 1] != b[j - 1]);
      if (d[j] + 1 < c) c = d[j] + 1;
      if (e[j - 1] + 1 < c) c = e[j - 1] + 1;
      e[j] = c;
    }
    memcpy(d, e, sizeof(PetscInt) * (lb + 1));
  }
  return d[lb];
}
