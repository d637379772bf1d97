/* Small internal helpers shared by the modules. */
#pragma once
#include <mrdyn/error.h>
#include <stdint.h>

/* FNV-1a, 64 bit: content hashes of models (stable across machines of one endianness). */
static inline uint64_t MrHash64(const void *data, size_t len, uint64_t h)
{
  const unsigned char *p = (const unsigned char *)data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}
#define MR_HASH_INIT 14695981039346656037ULL

/* Parses a comma-separated list of reals into a new array. Returns PETSC_FALSE on a malformed list. */
PETSC_INTERN PetscBool MrParseRealList(const char s[], PetscInt *n, PetscReal **v);
/* Levenshtein distance, for "did you mean" hints. */
PETSC_INTERN PetscInt MrEditDistance(const char a[], const char b[]);

/* Log stages and events by name, registered once per process (verbs run many
   times inside one sweep). Not collective. */
PETSC_INTERN PetscErrorCode MrLogStage(const char name[], PetscLogStage *stage);
PETSC_INTERN PetscErrorCode MrLogEvent(const char name[], PetscClassId cls, PetscLogEvent *ev);
