#include <mrdyn/rng.h>
#include <Random123/philox.h>
#include <math.h>

static inline philox4x64_ctr_t MrPhilox(uint64_t seed, MrStream stream, uint64_t region, uint64_t a, uint64_t b)
{
  philox4x64_ctr_t ctr = {{a, b, 0, 0}};
  philox4x64_key_t key = {{seed, ((uint64_t)stream << 48) ^ region}};
  return philox4x64(ctr, key);
}

/* 53 random bits mapped to the open interval (0, 1). */
static inline double MrU01(uint64_t x) { return ((double)(x >> 11) + 0.5) * 0x1.0p-53; }

void MrUniform4(uint64_t seed, MrStream stream, uint64_t region, uint64_t a, uint64_t b, double out[4])
{
  philox4x64_ctr_t r = MrPhilox(seed, stream, region, a, b);
  for (int k = 0; k < 4; k++) out[k] = MrU01(r.v[k]);
}

void MrNormal4(uint64_t seed, MrStream stream, uint64_t region, uint64_t a, uint64_t b, double out[4])
{
  double u[4];
  MrUniform4(seed, stream, region, a, b, u);
  for (int k = 0; k < 4; k += 2) { /* Box-Muller on each pair */
    const double rad = sqrt(-2.0 * log(u[k])), th = 2.0 * M_PI * u[k + 1];
    out[k]     = rad * cos(th);
    out[k + 1] = rad * sin(th);
  }
}

void MrNormalRow(uint64_t seed, MrStream stream, uint64_t region, uint64_t a, PetscInt n, double z[])
{
  PetscInt j = 0;
  for (; j + 4 <= n; j += 4) MrNormal4(seed, stream, region, a, (uint64_t)(j / 4), z + j);
  if (j < n) {
    double t[4];
    MrNormal4(seed, stream, region, a, (uint64_t)(j / 4), t);
    for (PetscInt k = 0; j + k < n; k++) z[j + k] = t[k];
  }
}
