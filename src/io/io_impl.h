/* Internals of src/io: the checksums of what an output holds (its manifest). */
#pragma once
#include <mrdyn/io.h>
#include <stdint.h>

/* One value's contribution to a dataset's or attribute's checksum: a mix of its
   position (row-major index in the whole dataset) and its 8 bytes. The checksum
   is the sum (mod 2^64) over the values, so ranks add up the values they write
   and the total does not depend on how many ranks wrote them. */
static inline uint64_t MrMix64(uint64_t z)
{
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static inline uint64_t MrValueHash(uint64_t idx, uint64_t bits) { return MrMix64(MrMix64(idx) ^ bits); }

/* Checksum of n bytes taken as 8-byte words (the last zero-padded). */
static inline uint64_t MrBytesHash(const void *p, size_t n)
{
  const unsigned char *b = (const unsigned char *)p;
  uint64_t             s = MrValueHash(UINT64_MAX, (uint64_t)n); /* the length counts too */
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w = 0;
    memcpy(&w, b + i, n - i < 8 ? n - i : 8);
    s += MrValueHash(i / 8, w);
  }
  return s;
}

/* One entry of a manifest: a dataset ("/a/b": its first `rows` rows of `rowsize`
   values) or an attribute ("@name" of the root, "/obj@name" of an object). */
typedef struct {
  char     name[288];
  int      dataset, ndims;
  hsize_t  rows, rowsize;
  uint64_t sum;
} MrOutputItem;

/* Parses manifest text into items (PetscFree them); *n < 0 when it is malformed. */
PETSC_INTERN PetscErrorCode MrManifestParse(const char text[], PetscInt *n, MrOutputItem **items);

/* Rank 0: checks the file against a manifest (the text MrOutputGetManifest writes):
   every dataset listed holds at least its rows with the same checksum, every
   attribute listed the same checksum. extras (may be NULL) receives, one per line,
   the datasets, the groups holding nothing listed, and the root attributes (as "@name") the manifest does not list.
   On a mismatch msg says what differs (it does not name the file). */
PETSC_INTERN PetscErrorCode MrManifestCheckFile(const char file[], const char manifest[], char **extras, char msg[], size_t len);
