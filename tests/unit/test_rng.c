/* Philox streams: pure functions of their counters, with the right moments. */
#include <mrdyn/rng.h>
#include <math.h>
#include "check.h"

int main(void)
{
  double     a[4], b[4], z[7], w[7];
  const long n  = 1000000;
  double     s1 = 0, s2 = 0, s4 = 0, umin = 1, umax = 0;

  MrNormal4(42, MR_STREAM_J, 3, 10, 5, a);
  MrNormal4(42, MR_STREAM_J, 3, 10, 5, b);
  CHECK(a[0] == b[0] && a[3] == b[3], "same counter, same numbers");
  MrNormal4(42, MR_STREAM_J, 4, 10, 5, b);
  CHECK(a[0] != b[0], "another region, other numbers");
  MrNormal4(42, MR_STREAM_VEC, 3, 10, 5, b);
  CHECK(a[0] != b[0], "another stream, other numbers");
  MrNormal4(43, MR_STREAM_J, 3, 10, 5, b);
  CHECK(a[0] != b[0], "another seed, other numbers");
  /* a row is the same whether generated whole or in pieces */
  MrNormalRow(1, MR_STREAM_J, 0, 9, 7, z);
  MrNormal4(1, MR_STREAM_J, 0, 9, 0, w);
  MrNormal4(1, MR_STREAM_J, 0, 9, 1, a);
  CHECK(z[0] == w[0] && z[3] == w[3] && z[4] == a[0] && z[6] == a[2], "MrNormalRow = consecutive MrNormal4 blocks");
  for (long k = 0; k < n / 4; k++) {
    double u[4];
    MrNormal4(7, MR_STREAM_TEST, 0, (uint64_t)k, 0, a);
    MrUniform4(7, MR_STREAM_TEST, 1, (uint64_t)k, 0, u);
    for (int j = 0; j < 4; j++) {
      s1 += a[j];
      s2 += a[j] * a[j];
      s4 += a[j] * a[j] * a[j] * a[j];
      umin = fmin(umin, u[j]);
      umax = fmax(umax, u[j]);
    }
  }
  s1 /= n;
  s2 /= n;
  s4 /= n;
  CHECK(fabs(s1) < 5 / sqrt((double)n), "normal mean %.2e within 5 sigma of 0", s1);
  CHECK(fabs(s2 - 1) < 5 * sqrt(2.0 / n), "normal variance %.5f within 5 sigma of 1", s2);
  CHECK(fabs(s4 - 3) < 5 * sqrt(96.0 / n), "normal fourth moment %.4f within 5 sigma of 3", s4);
  CHECK(umin > 0 && umax < 1, "uniforms in the open interval (0, 1)");
  printf("%d passed, %d failed\n", 9 - mr_failures, mr_failures);
  return mr_failures ? 1 : 0;
}
